import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { dispatchLater, userTarget, wrongCode } from '../services/mfa-guards.js';
import { mfaChangedNotice } from '../services/mfa-notice.js';
import { remainingRecoveryCodes } from '../services/recovery-codes.js';
import { verifySecondFactor } from '../services/second-factor.js';
import { answerSession } from '../services/session-cookies.js';
import { sessionsOf, startSession } from '../services/sessions.js';
import { attemptSourceOf, lockedError, trustThisDevice } from '../services/sign-in-attempt.js';
import { parseUserToken } from '../services/tokens.js';
import { findUserById } from '../services/users.js';
import { CookieFlag, CookieSessionSchema, TokenPairSchema } from './auth-schemas.js';
import { code } from './mfa-schemas.js';
import { problems } from './problems.js';

const MfaVerifySchema = z
  .object({
    mfaToken: z.string().min(1).max(256).openapi({ description: 'The `mfaToken` of the sign-in answer.' }),
    cookie: CookieFlag,
    code,
  })
  .openapi('MfaVerifyRequest');

const verify = createRoute({
  method: 'post',
  path: '/',
  ...access('public'),
  tags: ['identity'],
  summary: 'Finish a sign-in with a second factor',
  description:
    'Answers the `mfaToken` of a sign-in with `mfaRequired: true` with a current TOTP code or an unused recovery code.',
  request: jsonBody(MfaVerifySchema),
  responses: {
    200: jsonResponse(z.union([TokenPairSchema, CookieSessionSchema]), 'Signed in'),
    ...problems(400, 401, 403, 429),
  },
});

/** The second step of a sign-in with MFA. */
export const mfaVerifyApp = resourceApp<AppEnv>();

mfaVerifyApp.openapi(verify, async (c) => {
  const { mfaToken, code: answer } = c.req.valid('json');
  const token = parseUserToken(mfaToken);
  if (!token) throw new AppError('INVALID_MFA_TOKEN', 'The MFA challenge is unknown or expired; sign in again.');
  const { userId, secret } = token;
  const sessions = sessionsOf(c.env, userId);
  const source = attemptSourceOf(c);
  const [lockedUntil, challenge, user] = await Promise.all([
    sessions.lockedUntil(source),
    sessions.checkMfaChallenge(secret),
    findUserById(c.env.DB, userId),
  ]);
  if (lockedUntil !== null) throw lockedError(lockedUntil);
  // A challenge of a user whose MFA was turned off since is moot: signing in again needs no second factor.
  if (!challenge || !user?.mfaEnabled)
    throw new AppError('INVALID_MFA_TOKEN', 'The MFA challenge is unknown or expired; sign in again.');
  if (user.status === 'disabled') throw new AppError('ACCOUNT_DISABLED', 'This account is disabled.');

  const factor = await verifySecondFactor(c.env, userId, answer);
  const settled = await sessions.settleMfaChallenge(secret, factor !== null, source);
  const lockedNow = settled.lockedUntil;
  // A concurrent answer spent the challenge first: one challenge, one session.
  if (factor && !settled.spent)
    throw new AppError('INVALID_MFA_TOKEN', 'The MFA challenge is unknown or expired; sign in again.');
  if (!factor) {
    await audit(c, {
      action: 'mfa.verify',
      outcome: 'failure',
      ...userTarget(userId),
      data: { reason: 'invalid_code', locked: lockedNow !== null },
    });
    throw lockedNow === null ? wrongCode() : lockedError(lockedNow);
  }

  const tokens = await startSession(
    c.env,
    userId,
    {
      ip: c.get('clientIp') ?? null,
      userAgent: c.req.header('user-agent') ?? null,
      // `password+mfa` for a password sign-in: the challenge records how the first factor was proved.
      method: `${challenge.method}+mfa`,
    },
    c.executionCtx,
  );
  await trustThisDevice(c, sessions, source);
  await audit(c, { action: 'mfa.verify', ...userTarget(userId), data: { factor, method: challenge.method } });
  if (factor === 'recovery') {
    const remaining = await remainingRecoveryCodes(c.env.DB, userId);
    const notice = mfaChangedNotice(c.env.DB, userId, 'recovery_code_used', { remainingRecoveryCodes: remaining });
    await notice.statement.run();
    dispatchLater(c, notice);
    await audit(c, { action: 'mfa.recovery_code_used', ...userTarget(userId), data: { remaining } });
  }
  c.header('cache-control', 'no-store');
  return c.json(answerSession(c, tokens, c.req.valid('json').cookie), 200);
});
