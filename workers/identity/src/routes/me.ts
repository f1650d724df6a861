import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { dispatchOutbox, outboxItem } from '../services/outbox.js';
import { hashPassword, verifyPassword } from '../services/password.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { assertSendAllowed, recipientLimit, userLimit } from '../services/send-limits.js';
import { clearSessionCookies } from '../services/session-cookies.js';
import { sessionsOf } from '../services/sessions.js';
import { findUserByEmail, findUserById, normaliseEmail, type UserRecord, viewOf } from '../services/users.js';
import { lockedError, sendVerification } from './auth.js';
import { EmailSchema, json, jsonBody, PasswordSchema, problem, UserSchema } from './auth-schemas.js';

const security = [{ bearerAuth: [] }];

const UpdateMeSchema = z
  .object({
    name: DisplayNameSchema.nullable().optional(),
    locale: z
      .string()
      .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'a BCP 47 language tag such as en or pt-BR')
      .nullable()
      .optional(),
    timezone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Paris').nullable().optional(),
    avatarFileId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .nullable()
      .optional(),
    email: EmailSchema.optional().openapi({ description: 'Takes effect once the new address is verified.' }),
    password: PasswordSchema.optional().openapi({ description: 'The new password.' }),
    currentPassword: PasswordSchema.optional().openapi({ description: 'Required to change email or password.' }),
  })
  .strict()
  .openapi('UpdateMeRequest');

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

const getMe = createRoute({
  method: 'get',
  path: '/api/v1/users/me',
  tags: ['identity'],
  summary: 'The signed-in user',
  security,
  responses: { 200: json('The user', UserSchema), 401: problem('Not signed in') },
});

const patchMe = createRoute({
  method: 'patch',
  path: '/api/v1/users/me',
  tags: ['identity'],
  summary: 'Update the signed-in user',
  description:
    'Name, locale, time zone and avatar change at once. A new email is confirmed through a link sent to it and ' +
    'takes effect then; a new password signs out every other session. Both need `currentPassword`.',
  security,
  request: jsonBody(UpdateMeSchema),
  responses: {
    200: json('The updated user', UserSchema.extend({ pendingEmail: z.string().nullable() })),
    400: problem('Invalid body or password'),
    401: problem('Not signed in, or the current password is wrong'),
    409: problem('The new email belongs to another account'),
    429: problem('Too many wrong passwords (the account is locked), or too many emails asked for (Retry-After)'),
  },
});

const deleteMe = createRoute({
  method: 'delete',
  path: '/api/v1/users/me',
  tags: ['identity'],
  summary: 'Delete the signed-in user’s account',
  description:
    'Deletes the account with its sessions, factors and links, and emits `user.deleted` so that every service ' +
    'erases the user’s data. Accounts with a password must confirm it.',
  security,
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ currentPassword: PasswordSchema.optional() }) } },
      required: false,
    },
  },
  responses: {
    204: { description: 'Deleted' },
    401: problem('Not signed in, or wrong password'),
    429: problem('Too many wrong passwords: the account is locked (Retry-After)'),
  },
});

const exportMe = createRoute({
  method: 'get',
  path: '/api/v1/users/me/export',
  tags: ['identity'],
  summary: 'Everything identity holds about the signed-in user',
  security,
  responses: { 200: json('The export', z.record(z.string(), z.unknown())), 401: problem('Not signed in') },
});

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

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

async function currentUser(c: Context<AppEnv>): Promise<UserRecord> {
  const principal = requirePrincipal(c);
  const user = await findUserById(c.env.DB, principal.userId);
  // The token outlived its account (deleted within the gateway's revocation window).
  if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
  return user;
}

async function confirmPassword(c: Context<AppEnv>, user: UserRecord, given: string | undefined): Promise<void> {
  if (!user.passwordHash) return;
  if (given === undefined)
    throw new AppError('VALIDATION_FAILED', 'currentPassword is required for this change.', {
      errors: [{ path: 'currentPassword', message: 'Required' }],
    });
  // A stolen access token must not become a way to guess the password: re-authentication shares the sign-in
  // lockout, and a locked account is refused before the password is looked at.
  const sessions = sessionsOf(c.env, user.id);
  const lockedUntil = await sessions.lockedUntil();
  if (lockedUntil) {
    await audit(c, {
      action: 'user.reauthenticate',
      outcome: 'failure',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'locked' },
    });
    throw lockedError(lockedUntil);
  }
  const { valid } = await verifyPassword(given, user.passwordHash, c.env.PASSWORD_PEPPER);
  if (!valid) {
    const nowLocked = await sessions.recordFailure();
    await audit(c, {
      action: 'user.reauthenticate',
      outcome: 'failure',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'wrong_password', locked: nowLocked !== null },
    });
    throw new AppError('CURRENT_PASSWORD_INVALID', 'The current password is wrong.');
  }
}

/** The signed-in user's own account, sessions and data export under /api/v1/users/me. */
export function meRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getMe, async (c) => c.json(viewOf(await currentUser(c)), 200));

  app.openapi(patchMe, async (c) => {
    const body = c.req.valid('json');
    const user = await currentUser(c);
    const db = c.env.DB;
    const newEmail = body.email === undefined ? undefined : normaliseEmail(body.email);
    const changesEmail = newEmail !== undefined && newEmail !== user.email;
    if (changesEmail || body.password !== undefined) await confirmPassword(c, user, body.currentPassword);
    if (body.password !== undefined && !user.passwordHash)
      throw new AppError(
        'BAD_REQUEST',
        'This account signs in through a social provider; use a password reset to add a password.',
      );
    if (body.password !== undefined) assertAcceptablePassword(body.password, newEmail ?? user.email);
    // Charged before anything changes (a refused request changes nothing) and before the address is looked up, so
    // that probing which addresses have accounts through email changes is held to the same few an hour.
    if (changesEmail) await assertSendAllowed(db, [userLimit(user.id), await recipientLimit(newEmail)]);
    if (changesEmail && (await findUserByEmail(db, newEmail)))
      throw new AppError('EMAIL_TAKEN', 'An account with this email address exists.');

    const now = new Date().toISOString();
    const sets: string[] = [];
    const values: unknown[] = [];
    const profile: Record<string, unknown> = {};
    for (const [key, column] of [
      ['name', 'name'],
      ['locale', 'locale'],
      ['timezone', 'timezone'],
      ['avatarFileId', 'avatar_file_id'],
    ] as const) {
      if (body[key] !== undefined) {
        sets.push(`${column} = ?`);
        values.push(body[key]);
        profile[key] = body[key];
      }
    }
    if (body.password !== undefined) {
      sets.push('password_hash = ?');
      values.push(await hashPassword(body.password, c.env.PASSWORD_PEPPER));
    }
    if (sets.length > 0) {
      await db
        .prepare(`UPDATE users SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`)
        .bind(...values, now, user.id)
        .run();
    }
    if (Object.keys(profile).length > 0)
      await audit(c, {
        action: 'user.updated',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        data: { fields: Object.keys(profile) },
      });
    if (body.password !== undefined) {
      const principal = requirePrincipal(c);
      const revoked = await sessionsOf(c.env, user.id).revokeAll('password_changed', principal.sessionId ?? undefined);
      await audit(c, {
        action: 'user.password_changed',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        data: { otherSessionsRevoked: revoked },
      });
    }
    if (changesEmail) {
      await sendVerification(c, user.id, newEmail, user.name, user.locale, 'change_email');
      await audit(c, {
        action: 'user.email_change_requested',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        data: { to: newEmail },
      });
    }
    const updated = await currentUser(c);
    return c.json({ ...viewOf(updated), pendingEmail: changesEmail ? newEmail : null }, 200);
  });

  app.openapi(deleteMe, async (c) => {
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
    clearSessionCookies(c);
    return c.body(null, 204);
  });

  app.openapi(exportMe, async (c) => {
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
