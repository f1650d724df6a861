import { createRoute, z } from '@hono/zod-openapi';
import { newId } from '@onasis/contracts';
import { access, jsonBody, jsonResponse, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { newEmailToken } from '../services/email-tokens.js';
import { dispatchOutbox, securityNotice } from '../services/outbox.js';
import { hashPassword } from '../services/password.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { chargeSend, recipientLimit } from '../services/send-limits.js';
import { findUserByEmail, normaliseEmail } from '../services/users.js';
import { linkTo } from './account-helpers.js';
import { EmailSchema, PasswordSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const RegisterAcceptedSchema = z
  .object({ email: z.string().openapi({ description: 'The address, normalised, where the next step was sent.' }) })
  .openapi('RegisterAccepted');

const register = createRoute({
  method: 'post',
  path: '/',
  ...access('public'),
  tags: ['identity'],
  summary: 'Create an account',
  description:
    'Creates an unverified account and emails a verification link, then answers 202 with the address. An address ' +
    'that has an account already gets the same answer (status, body and the same password-hashing work), and its ' +
    'owner is emailed that someone tried to register with it: the answer tells nobody which addresses have an ' +
    'account. Sign in with the chosen password, or follow the emailed link. Sending it again answers the same.',
  request: jsonBody(
    z
      .object({ email: EmailSchema, password: PasswordSchema, name: DisplayNameSchema.optional() })
      .openapi('RegisterRequest'),
  ),
  responses: {
    202: jsonResponse(RegisterAcceptedSchema, 'Accepted: the next step is in the inbox of `email`'),
    ...problems(400),
  },
});

/** POST /auth/register. */
export const registerApp = resourceApp<AppEnv>();

registerApp.openapi(register, async (c) => {
  const body = c.req.valid('json');
  const email = normaliseEmail(body.email);
  assertAcceptablePassword(body.password, email);
  const id = newId('usr');
  // Hashed before the address is looked at, so that a taken address costs the same work as a new one.
  const passwordHash = await hashPassword(body.password, c.env.PASSWORD_PEPPER);
  const db = c.env.DB;
  const verification = await newEmailToken(db, 'verify_email', id, email);
  const notice = securityNotice(db, {
    to: id,
    template: 'identity.verify-email',
    data: {
      name: body.name ?? null,
      token: verification.token,
      url: linkTo(c.env, 'verify-email', verification.token),
    },
  });
  try {
    // One batch, so the account never exists without its role, its token and its verification message.
    await db.batch([
      db
        .prepare('INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)')
        .bind(id, email, body.name ?? null, passwordHash),
      db.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'member')").bind(id),
      verification.statement,
      notice.statement,
    ]);
  } catch (err) {
    if (!String(err).includes('UNIQUE constraint failed: users.email')) throw err;
    // The same answer as for a new address; the owner learns of the attempt by email, after the answer.
    c.executionCtx.waitUntil(
      noticeRegisterAttempt(c, email).catch((err) =>
        c.get('log').error('register-attempt notice failed', { err: String(err) }),
      ),
    );
    await audit(c, {
      action: 'user.register_attempt',
      outcome: 'failure',
      targetType: 'user',
      data: { reason: 'email_taken', email },
    });
    return c.json({ email }, 202);
  }
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [notice]));
  await audit(c, { action: 'user.registered', actorId: id, targetType: 'user', targetId: id });
  return c.json({ email }, 202);
});

/**
 * Tells the owner of `email` that someone tried to register with it, at most PER_RECIPIENT_SENDS times an hour; over
 * that nothing is sent, and nothing says so (register answers the same either way).
 */
async function noticeRegisterAttempt(c: Context<AppEnv>, email: string): Promise<void> {
  const db = c.env.DB;
  const owner = await findUserByEmail(db, email);
  if (owner?.status !== 'active') return;
  if (await chargeSend(db, [await recipientLimit(owner.email)])) return;
  const notice = securityNotice(db, {
    to: owner.id,
    template: 'identity.register-attempt',
    locale: owner.locale,
    data: { name: owner.name, url: `${c.env.APP_URL.replace(/\/$/, '')}/forgot-password` },
  });
  await notice.statement.run();
  await dispatchOutbox(c.env, [notice]);
}
