import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { hashPassword } from '../services/password.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { confirmPassword, currentUser } from '../services/reauthenticate.js';
import { assertSendAllowed, recipientLimit, userLimit } from '../services/send-limits.js';
import { sendVerification } from '../services/send-verification.js';
import { sessionsOf } from '../services/sessions.js';
import { updateProfile } from '../services/update-profile.js';
import { findUserByEmail, normaliseEmail, viewOf } from '../services/users.js';
import { EmailSchema, PasswordSchema, UserSchema } from './auth-schemas.js';
import { problems } from './problems.js';

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

const getMe = createRoute({
  method: 'get',
  path: '/',
  ...access('authenticated', { apiKeys: true }),
  tags: ['identity'],
  summary: 'The signed-in user',
  responses: {
    200: jsonResponse(
      UserSchema.extend({
        permissions: z.array(z.string()).openapi({
          description:
            'What this credential may do: the roles’ permissions for a session, the key’s scopes for an API key. ' +
            'Clients show or hide actions with it; the API checks every call itself.',
        }),
      }),
      'The user',
    ),
    ...problems(401, 400, 401, 409, 429),
  },
});

const patchMe = createRoute({
  method: 'patch',
  path: '/',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'Update the signed-in user',
  description:
    'Name, locale, time zone and avatar change at once. A new email is confirmed through a link sent to it and ' +
    'takes effect then; a new password signs out every other session. Both need `currentPassword`.',
  request: jsonBody(UpdateMeSchema),
  responses: {
    200: jsonResponse(UserSchema.extend({ pendingEmail: z.string().nullable() }), 'The updated user'),
  },
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reading and updating the signed-in user’s profile, email and password. */
export const meProfileApp = resourceApp<AppEnv>();

meProfileApp.openapi(getMe, async (c) =>
  c.json({ ...viewOf(await currentUser(c)), permissions: requirePrincipal(c).permissions }, 200),
);

meProfileApp.openapi(patchMe, async (c) => {
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

  const profile = { name: body.name, locale: body.locale, timezone: body.timezone, avatarFileId: body.avatarFileId };
  const passwordHash =
    body.password === undefined ? undefined : await hashPassword(body.password, c.env.PASSWORD_PEPPER);
  await updateProfile(db, user.id, profile, passwordHash);
  const fields = Object.keys(profile).filter((key) => profile[key as keyof typeof profile] !== undefined);
  if (fields.length > 0)
    await audit(c, {
      action: 'user.updated',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { fields },
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
