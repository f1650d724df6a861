import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import {
  confirmFactor,
  enrollFactor,
  loadFactor,
  mfaChangedNotice,
  RECOVERY_CODE_COUNT,
  remainingRecoveryCodes,
  removeFactor,
  replaceRecoveryCodes,
  spendTotpCode,
  verifySecondFactor,
} from '../services/mfa.js';
import { dispatchOutbox, type OutboxItem } from '../services/outbox.js';
import { answerSession } from '../services/session-cookies.js';
import { sessionsOf, startSession } from '../services/sessions.js';
import { parseUserToken } from '../services/tokens.js';
import { findUserById, requireUser } from '../services/users.js';
import { attemptSourceOf, trustThisDevice } from './auth.js';
import { CookieFlag, CookieSessionSchema, json, jsonBody, problem, TokenPairSchema } from './auth-schemas.js';

const bearer = [{ bearerAuth: [] }];

const MfaEnrollmentSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32 TOTP secret, for typing into an authenticator app.' }),
    otpauthUri: z.string().openapi({
      description: 'Key URI to show as a QR code.',
      example: 'otpauth://totp/Onasis:ada%40example.com?issuer=Onasis&secret=…&algorithm=SHA1&digits=6&period=30',
    }),
  })
  .openapi('MfaEnrollment');

const code = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: 'A current 6-digit TOTP code, or where allowed a recovery code.', example: '123456' });

const MfaCodeSchema = z.object({ code }).openapi('MfaCode');

const RecoveryCodesSchema = z
  .object({
    recoveryCodes: z
      .array(z.string())
      .length(RECOVERY_CODE_COUNT)
      .openapi({ description: 'Single-use codes, shown only this once.', example: ['k7m2q-x9hfa'] }),
  })
  .openapi('MfaRecoveryCodes');

const MfaVerifySchema = z
  .object({
    mfaToken: z.string().min(1).max(256).openapi({ description: 'The `mfaToken` of the sign-in answer.' }),
    cookie: CookieFlag,
    code,
  })
  .openapi('MfaVerifyRequest');

const enroll = createRoute({
  method: 'post',
  path: '/auth/mfa/totp/enroll',
  tags: ['identity'],
  summary: 'Start TOTP enrollment',
  description: 'Returns a new secret; a pending enrollment is replaced. Confirm it with `/auth/mfa/totp/confirm`.',
  security: bearer,
  responses: {
    200: json('The secret to add to an authenticator', MfaEnrollmentSchema),
    401: problem('Not signed in'),
    409: problem('MFA is already enabled (`MFA_ALREADY_ENABLED`)'),
  },
});

const confirm = createRoute({
  method: 'post',
  path: '/auth/mfa/totp/confirm',
  tags: ['identity'],
  summary: 'Confirm TOTP enrollment',
  description: 'Enables MFA with a first code from the authenticator and returns ten recovery codes.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: json('MFA is on', RecoveryCodesSchema),
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('No enrollment pending (`MFA_NOT_ENABLED`) or MFA already on (`MFA_ALREADY_ENABLED`)'),
  },
});

const disable = createRoute({
  method: 'post',
  path: '/auth/mfa/totp/disable',
  tags: ['identity'],
  summary: 'Turn MFA off',
  description: 'Needs a current TOTP code or an unused recovery code. Removes the factor and every recovery code.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    204: { description: 'MFA is off' },
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('MFA is not enabled (`MFA_NOT_ENABLED`)'),
    429: problem('Too many wrong codes (`ACCOUNT_LOCKED`); see Retry-After'),
  },
});

const regenerate = createRoute({
  method: 'post',
  path: '/auth/mfa/recovery-codes',
  tags: ['identity'],
  summary: 'Replace the recovery codes',
  description: 'Needs a current TOTP code. Returns ten new recovery codes; the previous ones stop working.',
  security: bearer,
  request: jsonBody(MfaCodeSchema),
  responses: {
    200: json('The new codes', RecoveryCodesSchema),
    400: problem('Invalid body'),
    401: problem('Not signed in, or the code is wrong (`INVALID_MFA_CODE`)'),
    409: problem('MFA is not enabled (`MFA_NOT_ENABLED`)'),
    429: problem('Too many wrong codes (`ACCOUNT_LOCKED`); see Retry-After'),
  },
});

const verify = createRoute({
  method: 'post',
  path: '/auth/mfa/verify',
  tags: ['identity'],
  summary: 'Finish a sign-in with a second factor',
  description:
    'Answers the `mfaToken` of a sign-in with `mfaRequired: true` with a current TOTP code or an unused recovery code.',
  request: jsonBody(MfaVerifySchema),
  responses: {
    200: json('Signed in', z.union([TokenPairSchema, CookieSessionSchema])),
    400: problem('Invalid body'),
    401: problem('Unknown or expired challenge (`INVALID_MFA_TOKEN`), or a wrong code (`INVALID_MFA_CODE`)'),
    403: problem('The account is disabled (`ACCOUNT_DISABLED`)'),
    429: problem('Too many failed attempts (`ACCOUNT_LOCKED`); see Retry-After'),
  },
});

function lockedError(until: number): AppError {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new AppError('ACCOUNT_LOCKED', `Too many failed attempts; try again in ${seconds} seconds.`, {
    headers: { 'retry-after': String(seconds) },
  });
}

const wrongCode = () => new AppError('INVALID_MFA_CODE', 'The code is wrong, expired or already used.');
const notEnabled = () => new AppError('MFA_NOT_ENABLED', 'Multi-factor authentication is not enabled.');
const userTarget = (userId: string) => ({ actorId: userId, targetType: 'user', targetId: userId });

/** Sends a committed outbox row after the response. */
function dispatchLater(c: Context<AppEnv>, item: OutboxItem): void {
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [item]));
}

/**
 * A wrong code on a signed-in route counts as a failed sign-in: otherwise a stolen session could guess codes
 * without limit to turn MFA off. Throws 429 when that failure locks the account, else 401.
 */
async function refuseWrongCode(c: Context<AppEnv>, userId: string, action: string): Promise<never> {
  const until = await sessionsOf(c.env, userId).recordFailure();
  await audit(c, { action, outcome: 'failure', ...userTarget(userId), data: { reason: 'invalid_code' } });
  throw until === null ? wrongCode() : lockedError(until);
}

async function refuseIfLocked(env: IdentityEnv, userId: string): Promise<void> {
  const until = await sessionsOf(env, userId).lockedUntil();
  if (until !== null) throw lockedError(until);
}

/** TOTP enrollment, recovery codes, and the second step of a sign-in with MFA. */
export function mfaRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(enroll, async (c) => {
    const { userId } = requirePrincipal(c);
    const user = await requireUser(c.env.DB, userId);
    const enrollment = await enrollFactor(c.env, userId, user.email);
    if (!enrollment) throw new AppError('MFA_ALREADY_ENABLED', 'Turn MFA off before enrolling a new authenticator.');
    c.header('cache-control', 'no-store');
    return c.json(enrollment, 200);
  });

  app.openapi(confirm, async (c) => {
    const { userId } = requirePrincipal(c);
    const notice = mfaChangedNotice(c.env.DB, userId, 'enabled');
    const result = await confirmFactor(c.env, userId, c.req.valid('json').code, notice);
    if (!result.ok) {
      if (result.reason === 'invalid_code') throw wrongCode();
      if (result.reason === 'already_enabled')
        throw new AppError('MFA_ALREADY_ENABLED', 'Multi-factor authentication is already enabled.');
      throw new AppError('MFA_NOT_ENABLED', 'No enrollment is pending; start one with /auth/mfa/totp/enroll.');
    }
    dispatchLater(c, notice);
    await audit(c, { action: 'mfa.enrolled', ...userTarget(userId), data: { factor: 'totp' } });
    c.header('cache-control', 'no-store');
    return c.json({ recoveryCodes: result.recoveryCodes }, 200);
  });

  app.openapi(disable, async (c) => {
    const { userId } = requirePrincipal(c);
    const factor = await loadFactor(c.env.DB, userId);
    if (!factor?.confirmed_at) throw notEnabled();
    await refuseIfLocked(c.env, userId);
    const via = await verifySecondFactor(c.env, userId, c.req.valid('json').code);
    if (!via) return refuseWrongCode(c, userId, 'mfa.disabled');
    if (via === 'recovery') await audit(c, { action: 'mfa.recovery_code_used', ...userTarget(userId) });
    const notice = mfaChangedNotice(c.env.DB, userId, 'disabled');
    // False only when a concurrent request removed the factor first: MFA is off either way.
    if (await removeFactor(c.env.DB, userId, notice)) {
      dispatchLater(c, notice);
      await audit(c, { action: 'mfa.disabled', ...userTarget(userId), data: { via } });
    }
    return c.body(null, 204);
  });

  app.openapi(regenerate, async (c) => {
    const { userId } = requirePrincipal(c);
    const factor = await loadFactor(c.env.DB, userId);
    if (!factor?.confirmed_at) throw notEnabled();
    await refuseIfLocked(c.env, userId);
    if (!(await spendTotpCode(c.env, userId, c.req.valid('json').code)))
      return refuseWrongCode(c, userId, 'mfa.recovery_codes_regenerated');
    const notice = mfaChangedNotice(c.env.DB, userId, 'recovery_codes_regenerated');
    const recoveryCodes = await replaceRecoveryCodes(c.env.DB, userId, notice);
    if (!recoveryCodes) throw notEnabled();
    dispatchLater(c, notice);
    await audit(c, { action: 'mfa.recovery_codes_regenerated', ...userTarget(userId) });
    c.header('cache-control', 'no-store');
    return c.json({ recoveryCodes }, 200);
  });

  app.openapi(verify, async (c) => {
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
      await c.env.DB.batch([notice.statement]);
      dispatchLater(c, notice);
      await audit(c, { action: 'mfa.recovery_code_used', ...userTarget(userId), data: { remaining } });
    }
    c.header('cache-control', 'no-store');
    return c.json(answerSession(c, tokens, c.req.valid('json').cookie), 200);
  });
}
