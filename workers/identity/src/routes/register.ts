import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { dispatchOutbox } from '../services/outbox.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { noticeRegisterAttempt, registerUser } from '../services/register-user.js';
import { normaliseEmail } from '../services/users.js';
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
  const registered = await registerUser(c.env, { email, password: body.password, name: body.name ?? null });
  if (registered.outcome === 'taken') {
    // The same answer as for a new address; the owner learns of the attempt by email, after the answer.
    c.executionCtx.waitUntil(
      noticeRegisterAttempt(c.env, email).catch((err) =>
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
  c.executionCtx.waitUntil(dispatchOutbox(c.env, registered.outbox));
  const id = registered.userId;
  await audit(c, { action: 'user.registered', actorId: id, targetType: 'user', targetId: id });
  return c.json({ email }, 202);
});
