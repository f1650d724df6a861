import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { deleteAccount } from '../services/delete-account.js';
import { exportAccount } from '../services/export-account.js';
import { confirmPassword, currentUser } from '../services/reauthenticate.js';
import { forget } from '../services/revocation.js';
import { clearSessionCookies } from '../services/session-cookies.js';
import { PasswordSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const deleteMe = createRoute({
  method: 'delete',
  path: '/',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Delete the signed-in user’s account',
  description:
    'Deletes the account with its sessions, factors and links, and emits `user.deleted` so that every service ' +
    'erases the user’s data. Accounts with a password must confirm it.',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ currentPassword: PasswordSchema.optional() }) } },
      required: false,
    },
  },
  responses: {
    204: { description: 'Deleted' },
    ...problems(401, 429),
  },
});

const exportMe = createRoute({
  method: 'get',
  path: '/export',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Everything identity holds about the signed-in user',
  responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), 'The export'), ...problems(401) },
});

/** Deleting the signed-in user’s account, and exporting its data. */
export const meAccountApp = resourceApp<AppEnv>();

meAccountApp.openapi(deleteMe, async (c) => {
  const user = await currentUser(c);
  const body = (await c.req.json().catch(() => ({}))) as { currentPassword?: unknown };
  const given = typeof body.currentPassword === 'string' ? body.currentPassword : undefined;
  await confirmPassword(c, user, given);
  await deleteAccount(c.env, user.id, c.executionCtx);
  await audit(c, { action: 'user.deleted', actorId: user.id, targetType: 'user', targetId: user.id });
  forget(c, { users: [user.id] });
  clearSessionCookies(c);
  return c.body(null, 204);
});

meAccountApp.openapi(exportMe, async (c) => {
  const user = await currentUser(c);
  const data = await exportAccount(c.env, user);
  c.header('content-disposition', `attachment; filename="onasis-identity-${user.id}.json"`);
  c.header('cache-control', 'no-store');
  return c.json(data, 200);
});
