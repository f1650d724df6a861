import { createRoute, z } from '@hono/zod-openapi';
import { newId } from '@onasis/contracts';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { dispatchOutbox, outboxItem } from '../services/outbox.js';
import { forget } from '../services/revocation.js';
import { clearSessionCookies } from '../services/session-cookies.js';
import { sessionsOf } from '../services/sessions.js';
import { viewOf } from '../services/users.js';
import { PasswordSchema } from './auth-schemas.js';
import { confirmPassword, currentUser } from './me-reauth.js';
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
  const db = c.env.DB;
  const event = outboxItem(db, {
    queue: 'userEvents',
    body: {
      kind: 'user-event',
      id: newId('evt'),
      type: 'user.deleted',
      userId: user.id,
      occurredAt: new Date().toISOString(),
    },
  });
  // The row and the event commit together; foreign keys remove roles, tokens, factors and links with the row.
  await db.batch([db.prepare('DELETE FROM users WHERE id = ?').bind(user.id), event.statement]);
  await sessionsOf(c.env, user.id).erase();
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [event]));
  await audit(c, { action: 'user.deleted', actorId: user.id, targetType: 'user', targetId: user.id });
  forget(c, { users: [user.id] });
  clearSessionCookies(c);
  return c.body(null, 204);
});

meAccountApp.openapi(exportMe, async (c) => {
  const user = await currentUser(c);
  const db = c.env.DB;
  const [sessions, oauth, mfa, auditTrail] = await Promise.all([
    sessionsOf(c.env, user.id).list(),
    db
      .prepare(
        'SELECT provider, email, created_at AS createdAt, last_used_at AS lastUsedAt FROM oauth_accounts WHERE user_id = ?',
      )
      .bind(user.id)
      .all(),
    db
      .prepare('SELECT confirmed_at AS confirmedAt, created_at AS createdAt FROM mfa_factors WHERE user_id = ?')
      .bind(user.id)
      .first(),
    db
      .prepare(
        `SELECT occurred_at AS occurredAt, action, outcome, ip, user_agent AS userAgent FROM audit_logs
           WHERE actor_id = ?1 OR target_id = ?1 ORDER BY seq`,
      )
      .bind(user.id)
      .all(),
  ]);
  c.header('content-disposition', `attachment; filename="onasis-identity-${user.id}.json"`);
  c.header('cache-control', 'no-store');
  return c.json(
    {
      exportedAt: new Date().toISOString(),
      user: viewOf(user),
      sessions,
      linkedAccounts: oauth.results,
      mfa: mfa ?? null,
      securityEvents: auditTrail.results,
    },
    200,
  );
});
