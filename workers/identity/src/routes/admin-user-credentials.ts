import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { listApiKeys } from '../services/api-keys.js';
import { requestDeps } from '../services/request-deps.js';
import { forget } from '../services/revocation.js';
import { revokeUserCredential } from '../services/revoke-user-credential.js';
import { sessionsOf } from '../services/sessions.js';
import { requireUser } from '../services/users.js';
import { ApiKeySchema } from './api-keys.js';
import { SessionSchema } from './me-sessions.js';
import { problems } from './problems.js';

const pathParam = (name: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: 'path' } });
const UserParams = z.object({ id: pathParam('id') });

/** `/api/v1/users/{id}/sessions` and `/api/v1/users/{id}/api-keys`: an admin's view of another user's credentials. */
export const adminUserCredentialsApp = resourceApp<AppEnv>();

adminUserCredentialsApp.openapi(
  createRoute({
    method: 'get',
    path: '/{id}/sessions',
    tags: ['identity'],
    summary: "A user's live sessions",
    description: 'Newest first; `current` marks the caller’s own session. Needs `users:read`.',
    ...access('users:read'),
    request: { params: UserParams },
    responses: {
      200: jsonResponse(z.object({ data: z.array(SessionSchema) }), 'Sessions'),
      ...problems(401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const { sessionId } = requirePrincipal(c);
    await requireUser(c.env.DB, id);
    const sessions = await sessionsOf(c.env, id).list();
    return c.json({ data: sessions.map((s) => ({ ...s, current: s.id === sessionId })) }, 200);
  },
);

adminUserCredentialsApp.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}/sessions/{sessionId}',
    tags: ['identity'],
    summary: "End one of a user's sessions",
    description:
      'The gateway stops accepting its access token at once here and within 30 seconds everywhere. A session that ' +
      'is not live, or not this user’s, is a 404, so a repeated call answers 404 and changes nothing. Needs ' +
      '`users:write` and every permission the user holds (403); audited as `session.revoked` with `by: admin`.',
    ...access('users:write'),
    request: { params: UserParams.extend({ sessionId: pathParam('sessionId') }) },
    responses: { 204: { description: 'Ended' }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { id, sessionId } = c.req.valid('param');
    const credential = { kind: 'session', id: sessionId } as const;
    await revokeUserCredential(requestDeps(c), { actorId: requirePrincipal(c).userId, userId: id, credential });
    forget(c, { sessions: [sessionId] });
    return c.body(null, 204);
  },
);

adminUserCredentialsApp.openapi(
  createRoute({
    method: 'get',
    path: '/{id}/api-keys',
    tags: ['identity'],
    summary: "A user's API keys",
    description:
      'Keys that are not revoked, expired ones included, newest first; never their secrets. Needs `users:read`.',
    ...access('users:read'),
    request: { params: UserParams },
    responses: { 200: jsonResponse(z.object({ data: z.array(ApiKeySchema) }), 'Keys'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    await requireUser(c.env.DB, id);
    return c.json({ data: await listApiKeys(c.env.DB, id) }, 200);
  },
);

adminUserCredentialsApp.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}/api-keys/{keyId}',
    tags: ['identity'],
    summary: "Revoke one of a user's API keys",
    description:
      'The gateway stops accepting the key within 60 seconds. A key that is revoked already, or not this user’s, is ' +
      'a 404, so a repeated call answers 404 and changes nothing. Needs `users:write` and every permission the user ' +
      'holds (403); audited as `api_key.revoked` with `by: admin`.',
    ...access('users:write'),
    request: { params: UserParams.extend({ keyId: pathParam('keyId') }) },
    responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { id, keyId } = c.req.valid('param');
    const credential = { kind: 'api_key', id: keyId } as const;
    await revokeUserCredential(requestDeps(c), { actorId: requirePrincipal(c).userId, userId: id, credential });
    forget(c, { apiKeys: [keyId] });
    return c.body(null, 204);
  },
);
