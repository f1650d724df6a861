import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { sessionsOf } from '../services/sessions.js';
import { json, problem } from './auth-schemas.js';
import { security } from './me-reauth.js';

const SessionSchema = z
  .object({
    id: z.string(),
    device: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    method: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string(),
    expiresAt: z.string(),
    current: z.boolean(),
  })
  .openapi('Session');

const listSessions = createRoute({
  method: 'get',
  path: '/api/v1/users/me/sessions',
  tags: ['identity'],
  summary: 'The signed-in user’s live sessions',
  security,
  responses: { 200: json('Sessions', z.object({ data: z.array(SessionSchema) })), 401: problem('Not signed in') },
});

const revokeSession = createRoute({
  method: 'delete',
  path: '/api/v1/users/me/sessions/{id}',
  tags: ['identity'],
  summary: 'Revoke one of the signed-in user’s sessions',
  security,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, 401: problem('Not signed in'), 404: problem('No such live session') },
});

/** The signed-in user’s live sessions. */
export function meSessionRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listSessions, async (c) => {
    const principal = requirePrincipal(c);
    const sessions = await sessionsOf(c.env, principal.userId).list();
    return c.json({ data: sessions.map((s) => ({ ...s, current: s.id === principal.sessionId })) }, 200);
  });

  app.openapi(revokeSession, async (c) => {
    const principal = requirePrincipal(c);
    const { id } = c.req.valid('param');
    const revoked = await sessionsOf(c.env, principal.userId).revoke(id, 'revoked_by_user');
    if (!revoked) throw new AppError('NOT_FOUND', 'No live session with this id.');
    await audit(c, {
      action: 'session.revoked',
      actorId: principal.userId,
      targetType: 'session',
      targetId: id,
      data: { reason: 'revoked_by_user' },
    });
    return c.body(null, 204);
  });
}
