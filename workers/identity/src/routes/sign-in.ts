import { createRoute, z } from '@hono/zod-openapi';
import { ACCESS_TOKEN_TTL_SECONDS } from '@onasis/contracts';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { hashPassword, verifyPassword } from '../services/password.js';
import { forget } from '../services/revocation.js';
import { answerSession, clearSessionCookies, refreshCookie } from '../services/session-cookies.js';
import { sessionsOf, startSession, unknownEmailThrottle } from '../services/sessions.js';
import { attemptSourceOf, decoy, lockedError, originOf, trustThisDevice } from '../services/sign-in-attempt.js';
import { accessTokenSigner, formatRefreshToken, parseUserToken } from '../services/tokens.js';
import {
  findUserByEmail,
  findUserById,
  normaliseEmail,
  tokenClaimsOf,
  upgradePasswordHash,
} from '../services/users.js';
import {
  CookieFlag,
  CookieSessionSchema,
  EmailSchema,
  MfaChallengeSchema,
  PasswordSchema,
  TokenPairSchema,
} from './auth-schemas.js';
import { problems } from './problems.js';

const login = createRoute({
  method: 'post',
  path: '/login',
  ...access('public'),
  tags: ['identity'],
  summary: 'Sign in with email and password',
  description:
    'Answers tokens, or an MFA challenge when the account has a second factor. Unknown email and wrong password ' +
    'give the same 401. After five failures the account locks with growing back-off (429 with Retry-After).',
  request: jsonBody(
    z.object({ email: EmailSchema, password: PasswordSchema, cookie: CookieFlag }).openapi('LoginRequest'),
  ),
  responses: {
    200: jsonResponse(
      z.union([TokenPairSchema, CookieSessionSchema, MfaChallengeSchema]),
      'Signed in, or a second factor is needed',
    ),
    ...problems(401, 403, 429),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  ...access('public'),
  tags: ['identity'],
  summary: 'Exchange a refresh token for new tokens',
  description:
    'Rotates the refresh token: the one sent is spent. Within 30 seconds of its spending, the same token is ' +
    'answered with the same successor again (two tabs, or a retry after a lost answer); later, a spent token ' +
    'revokes its session, since a copy of it may be in someone else’s hands.',
  request: jsonBody(
    z
      .object({
        refreshToken: z
          .string()
          .min(1)
          .max(512)
          .optional()
          .openapi({ description: 'Omitted by browsers that hold the refresh token in its cookie.' }),
        cookie: CookieFlag,
      })
      .openapi('RefreshRequest'),
  ),
  responses: {
    200: jsonResponse(z.union([TokenPairSchema, CookieSessionSchema]), 'New tokens'),
    ...problems(401),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'End the current session',
  responses: { 204: { description: 'Signed out' }, ...problems(401) },
});

const logoutAll = createRoute({
  method: 'post',
  path: '/logout-all',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'End every session of the signed-in user',
  responses: { 204: { description: 'Signed out everywhere' }, ...problems(401) },
});

/** Sign-in with a password, token refresh, and sign-out. */
export const signInApp = resourceApp<AppEnv>();

signInApp.openapi(login, async (c) => {
  const { email, password, cookie } = c.req.valid('json');
  const env = c.env;
  const user = await findUserByEmail(env.DB, email);
  // Unknown emails are counted and delayed exactly like accounts (in an object of their own), so that neither the
  // answer, a 429, nor the work done tells whether an address has an account.
  const sessions = user ? sessionsOf(env, user.id) : await unknownEmailThrottle(env, email);
  const source = attemptSourceOf(c);
  const lockedUntil = await sessions.lockedUntil(source);
  if (lockedUntil) {
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id ?? null,
      data: { reason: 'locked', ...(user ? {} : { email: normaliseEmail(email) }) },
    });
    throw lockedError(lockedUntil);
  }
  const check = await verifyPassword(
    password,
    user?.passwordHash ?? (await decoy(env.PASSWORD_PEPPER)),
    env.PASSWORD_PEPPER,
  );
  if (!user?.passwordHash || !check.valid) {
    const nowLocked = await sessions.recordFailure(source);
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id ?? null,
      data: user?.passwordHash
        ? { reason: 'wrong_password', locked: nowLocked !== null }
        : { reason: user ? 'no_password' : 'unknown_email', email: normaliseEmail(email) },
    });
    throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
  }
  if (user.status !== 'active') {
    await audit(c, {
      action: 'user.login',
      outcome: 'failure',
      targetType: 'user',
      targetId: user.id,
      data: { reason: 'disabled' },
    });
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled.');
  }
  if (check.needsRehash) {
    c.executionCtx.waitUntil(
      hashPassword(password, env.PASSWORD_PEPPER).then((hash) =>
        upgradePasswordHash(env.DB, user.id, user.passwordHash ?? '', hash),
      ),
    );
  }
  if (user.mfaEnabled) {
    const secret = await sessions.createMfaChallenge('password');
    await audit(c, { action: 'user.login_mfa_challenge', actorId: user.id, targetType: 'user', targetId: user.id });
    c.header('cache-control', 'no-store');
    return c.json({ mfaRequired: true as const, mfaToken: formatRefreshToken(user.id, secret) }, 200);
  }
  const tokens = await startSession(env, user.id, originOf(c, 'password'), c.executionCtx);
  await trustThisDevice(c, sessions, source);
  await audit(c, {
    action: 'user.login',
    actorId: user.id,
    targetType: 'user',
    targetId: user.id,
    data: { method: 'password' },
  });
  return c.json(answerSession(c, tokens, cookie), 200);
});

signInApp.openapi(refresh, async (c) => {
  const body = c.req.valid('json');
  const fromCookie = body.refreshToken === undefined;
  const refreshToken = body.refreshToken ?? refreshCookie(c) ?? '';
  const parsed = parseUserToken(refreshToken);
  if (!parsed) throw new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is not valid.');
  const sessions = sessionsOf(c.env, parsed.userId);
  const origin = originOf(c, 'refresh');
  // Everything the new tokens need comes before the rotation: once the old token is spent nothing may fail.
  const [user, claims, sign] = await Promise.all([
    findUserById(c.env.DB, parsed.userId),
    tokenClaimsOf(c.env.DB, parsed.userId),
    accessTokenSigner(c.env),
  ]);
  // Disabling revokes sessions already; this closes the gap of a refresh that raced the revocation.
  if (user?.status !== 'active')
    throw new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is not valid or has expired.');
  const rotated = await sessions.rotate(parsed.secret, { ip: origin.ip, userAgent: origin.userAgent });
  if (!rotated.ok) {
    if (rotated.reason === 'reused') {
      await audit(c, {
        action: 'session.refresh_token_reused',
        outcome: 'failure',
        targetType: 'user',
        targetId: parsed.userId,
        data: { sessionRevoked: true },
      });
      throw new AppError('REFRESH_TOKEN_REUSED', 'This refresh token was already used; the session is revoked.');
    }
    throw new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is not valid or has expired.');
  }
  const tokens = {
    accessToken: await sign({ userId: user.id, sessionId: rotated.sessionId, ...claims }),
    refreshToken: formatRefreshToken(user.id, rotated.refreshSecret),
    tokenType: 'Bearer' as const,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
  // A refresh token that came from the cookie goes back into it.
  return c.json(answerSession(c, tokens, body.cookie ?? fromCookie), 200);
});

signInApp.openapi(logout, async (c) => {
  const principal = requirePrincipal(c);
  if (principal.sessionId) {
    await sessionsOf(c.env, principal.userId).revoke(principal.sessionId, 'logout');
    await audit(c, {
      action: 'session.revoked',
      actorId: principal.userId,
      targetType: 'session',
      targetId: principal.sessionId,
      data: { reason: 'logout' },
    });
    forget(c, { sessions: [principal.sessionId] });
  }
  clearSessionCookies(c);
  return c.body(null, 204);
});

signInApp.openapi(logoutAll, async (c) => {
  const principal = requirePrincipal(c);
  const revoked = await sessionsOf(c.env, principal.userId).revokeAll('logout_all');
  await audit(c, {
    action: 'session.revoked_all',
    actorId: principal.userId,
    targetType: 'user',
    targetId: principal.userId,
    data: { reason: 'logout_all', sessionsRevoked: revoked },
  });
  forget(c, { users: [principal.userId] });
  clearSessionCookies(c);
  return c.body(null, 204);
});
