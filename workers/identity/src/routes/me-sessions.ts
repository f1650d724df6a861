import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { forget } from '../services/revocation.js';
import { sessionsOf } from '../services/sessions.js';
import { problems } from './problems.js';

/** A live session as its user (or an admin) sees it. */
export const SessionSchema = z
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
  path: '/',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'The signed-in user’s live sessions',
  responses: { 200: jsonResponse(z.object({ data: z.array(SessionSchema) }), 'Sessions'), ...problems(401) },
});

const revokeSession = createRoute({
  method: 'delete',
  path: '/{id}',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Revoke one of the signed-in user’s sessions',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, ...problems(401, 404) },
});

/** The signed-in user’s live sessions. */
export const meSessionsApp = resourceApp<AppEnv>();

meSessionsApp.openapi(listSessions, async (c) => {
  const principal = requirePrincipal(c);
  const sessions = await sessionsOf(c.env, principal.userId).list();
  return c.json({ data: sessions.map((s) => ({ ...s, current: s.id === principal.sessionId })) }, 200);
});

meSessionsApp.openapi(revokeSession, async (c) => {
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
  forget(c, { sessions: [id] });
  return c.body(null, 204);
});
