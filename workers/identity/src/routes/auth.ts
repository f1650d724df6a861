import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ACCESS_TOKEN_TTL_SECONDS, newId } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import type { AttemptSource, SessionOrigin } from '../durable-objects/user-sessions.js';
import { type Claim, claimOf } from '../services/account-claim.js';
import { audit } from '../services/audit.js';
import { networkOf } from '../services/device.js';
import { DisplayNameSchema } from '../services/display-name.js';
import { newEmailToken, spendEmailToken, voidEmailTokens } from '../services/email-tokens.js';
import { dispatchOutbox, securityNotice } from '../services/outbox.js';
import { hashPassword, verifyPassword } from '../services/password.js';
import { assertAcceptablePassword } from '../services/password-policy.js';
import { forget } from '../services/revocation.js';
import { assertSendAllowed, chargeSend, recipientLimit, userLimit } from '../services/send-limits.js';
import {
  answerSession,
  clearSessionCookies,
  deviceCookie,
  refreshCookie,
  setDeviceCookie,
} from '../services/session-cookies.js';
import { sessionsOf, startSession, unknownEmailThrottle } from '../services/sessions.js';
import { accessTokenSigner, formatRefreshToken, parseUserToken } from '../services/tokens.js';
import { findUserByEmail, findUserById, normaliseEmail, tokenClaimsOf, viewOf } from '../services/users.js';
import {
  CookieFlag,
  CookieSessionSchema,
  EmailSchema,
  json,
  jsonBody,
  MfaChallengeSchema,
  PasswordSchema,
  problem,
  TokenPairSchema,
  UserSchema,
} from './auth-schemas.js';

const RegisterAcceptedSchema = z
  .object({ email: z.string().openapi({ description: 'The address, normalised, where the next step was sent.' }) })
  .openapi('RegisterAccepted');

const register = createRoute({
  method: 'post',
  path: '/auth/register',
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
    202: json('Accepted: the next step is in the inbox of `email`', RegisterAcceptedSchema),
    400: problem('Invalid body or name, or a password that is too short, too long or too common'),
  },
});

const verifyEmail = createRoute({
  method: 'post',
  path: '/auth/verify-email',
  tags: ['identity'],
  summary: 'Confirm an email address',
  description: 'Spends a token from a verification or email-change message (single use, 24 hours).',
  request: jsonBody(z.object({ token: z.string().min(1).max(256) }).openapi('VerifyEmailRequest')),
  responses: {
    200: json('The account with its confirmed address', UserSchema),
    400: problem('Unknown, used or expired token'),
    409: problem('The new address was taken in the meantime'),
  },
});

const resendVerification = createRoute({
  method: 'post',
  path: '/auth/verify-email/resend',
  tags: ['identity'],
  summary: 'Send a new verification email',
  description: 'For the signed-in user. Earlier verification links stop working. Nothing is sent when verified.',
  security: [{ bearerAuth: [] }],
  responses: { 202: { description: 'Accepted' }, 401: problem('Not signed in') },
});

const forgotPassword = createRoute({
  method: 'post',
  path: '/auth/password/forgot',
  tags: ['identity'],
  summary: 'Request a password reset email',
  description: 'Always 202, whether or not an account exists, so that it tells nobody which addresses have one.',
  request: jsonBody(z.object({ email: EmailSchema }).openapi('ForgotPasswordRequest')),
  responses: { 202: { description: 'Accepted' }, 400: problem('Invalid body') },
});

const resetPassword = createRoute({
  method: 'post',
  path: '/auth/password/reset',
  tags: ['identity'],
  summary: 'Set a new password with a reset token',
  description: 'Spends the token (single use, 1 hour), sets the password and signs the account out everywhere.',
  request: jsonBody(z.object({ token: z.string().min(1).max(256), password: PasswordSchema }).openapi('ResetRequest')),
  responses: { 204: { description: 'Password changed' }, 400: problem('Invalid token or password') },
});

const login = createRoute({
  method: 'post',
  path: '/auth/login',
  tags: ['identity'],
  summary: 'Sign in with email and password',
  description:
    'Answers tokens, or an MFA challenge when the account has a second factor. Unknown email and wrong password ' +
    'give the same 401. After five failures the account locks with growing back-off (429 with Retry-After).',
  request: jsonBody(
    z.object({ email: EmailSchema, password: PasswordSchema, cookie: CookieFlag }).openapi('LoginRequest'),
  ),
  responses: {
    200: json(
      'Signed in, or a second factor is needed',
      z.union([TokenPairSchema, CookieSessionSchema, MfaChallengeSchema]),
    ),
    401: problem('Invalid credentials'),
    403: problem('Account disabled'),
    429: problem('Account temporarily locked'),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/auth/refresh',
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
    200: json('New tokens', z.union([TokenPairSchema, CookieSessionSchema])),
    401: problem('Invalid, expired or reused refresh token'),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/auth/logout',
  tags: ['identity'],
  summary: 'End the current session',
  security: [{ bearerAuth: [] }],
  responses: { 204: { description: 'Signed out' }, 401: problem('Not signed in') },
});

const logoutAll = createRoute({
  method: 'post',
  path: '/auth/logout-all',
  tags: ['identity'],
  summary: 'End every session of the signed-in user',
  security: [{ bearerAuth: [] }],
  responses: { 204: { description: 'Signed out everywhere' }, 401: problem('Not signed in') },
});

/** Where a request comes from, for its session and the sign-in notice. */
export function originOf(c: Context<AppEnv>, method: string): SessionOrigin {
  return { ip: c.get('clientIp') ?? null, userAgent: c.req.header('user-agent') ?? null, method };
}

// Verified against when the email is unknown, so that an unknown address costs the same PBKDF2 work as a wrong
// password and timing does not tell them apart.
let decoyHash: Promise<string> | undefined;
function decoy(pepper: string): Promise<string> {
  decoyHash ??= hashPassword(`decoy-${crypto.randomUUID()}`, pepper);
  return decoyHash;
}

/** Where a sign-in attempt comes from, for lockout: the client's network and its device cookie. */
export function attemptSourceOf(c: Context<AppEnv>): AttemptSource {
  return { network: networkOf(c.get('clientIp')), device: deviceCookie(c) ?? null };
}

/**
 * After a successful sign-in: forgives the failures of this network and device, and (re)sets the device cookie that
 * exempts this device from locks that strangers' failures cause.
 */
export async function trustThisDevice(
  c: Context<AppEnv>,
  sessions: ReturnType<typeof sessionsOf>,
  source: AttemptSource,
): Promise<void> {
  const [, device] = await Promise.all([sessions.clearFailures(source), sessions.trustDevice(source.device)]);
  setDeviceCookie(c, device);
}

/** The 429 of a locked account, with Retry-After. */
export function lockedError(until: number): AppError {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new AppError('ACCOUNT_LOCKED', `Too many failed attempts. Try again in ${seconds} seconds.`, {
    headers: { 'retry-after': String(seconds) },
  });
}

/** Account, sign-in and token endpoints under /auth. */
export function authRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(register, async (c) => {
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

  app.openapi(verifyEmail, async (c) => {
    const { token } = c.req.valid('json');
    const db = c.env.DB;
    const spent = await spendEmailToken(db, token, ['verify_email', 'change_email']);
    if (!spent) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
    const now = new Date().toISOString();
    if (spent.purpose === 'verify_email') {
      // Only the address the token was sent to: after an email change the old link proves nothing. The first proof
      // claims the account: keys made before it go, in the same batch.
      const claim = claimOf(db, spent.userId, now, spent.email);
      const results = await db.batch([
        ...claim.statements,
        db
          .prepare('UPDATE users SET email_verified_at = coalesce(email_verified_at, ?) WHERE id = ? AND email = ?')
          .bind(now, spent.userId, spent.email),
      ]);
      await audit(c, {
        action: 'user.email_verified',
        actorId: spent.userId,
        targetType: 'user',
        targetId: spent.userId,
      });
      const principal = c.get('principal');
      await settleClaim(c, claim, claim.outcome(results, 0), spent.userId, {
        keepSession: principal?.userId === spent.userId ? (principal.sessionId ?? undefined) : undefined,
      });
    } else {
      const before = await findUserById(db, spent.userId);
      if (!before) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
      const notice = securityNotice(db, {
        to: spent.userId,
        toAddress: before.email,
        template: 'identity.email-changed',
        data: { oldEmail: before.email, newEmail: spent.email },
      });
      try {
        await db.batch([
          db
            .prepare('UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?')
            .bind(spent.email, now, now, spent.userId),
          notice.statement,
        ]);
      } catch (err) {
        if (String(err).includes('UNIQUE constraint failed: users.email'))
          throw new AppError('EMAIL_TAKEN', 'Another account took this email address in the meantime.');
        throw err;
      }
      c.executionCtx.waitUntil(dispatchOutbox(c.env, [notice]));
      await audit(c, {
        action: 'user.email_changed',
        actorId: spent.userId,
        targetType: 'user',
        targetId: spent.userId,
        data: { from: before.email, to: spent.email },
      });
    }
    const user = await findUserById(db, spent.userId);
    if (!user) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
    return c.json(viewOf(user), 200);
  });

  app.openapi(resendVerification, async (c) => {
    const principal = requirePrincipal(c);
    const user = await findUserById(c.env.DB, principal.userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    if (!user.emailVerified) {
      await assertSendAllowed(c.env.DB, [userLimit(user.id), await recipientLimit(user.email)]);
      await sendVerification(c, user.id, user.email, user.name, user.locale);
    }
    return c.body(null, 202);
  });

  app.openapi(forgotPassword, async (c) => {
    const { email } = c.req.valid('json');
    // The work happens after the answer, so its duration cannot tell whether the account exists.
    c.executionCtx.waitUntil(
      (async () => {
        const user = await findUserByEmail(c.env.DB, email);
        if (user?.status !== 'active') return;
        const db = c.env.DB;
        // Over the address's limit nothing is sent, and the answer (already given) cannot say so.
        if (await chargeSend(db, [await recipientLimit(user.email)])) {
          await audit(c, {
            action: 'user.password_reset_requested',
            outcome: 'failure',
            targetType: 'user',
            targetId: user.id,
            data: { reason: 'send_limited' },
          });
          return;
        }
        const reset = await newEmailToken(db, 'reset_password', user.id, user.email);
        const notice = securityNotice(db, {
          to: user.id,
          template: 'identity.reset-password',
          locale: user.locale,
          data: { name: user.name, token: reset.token, url: linkTo(c.env, 'reset-password', reset.token) },
        });
        await db.batch([voidEmailTokens(db, user.id, 'reset_password'), reset.statement, notice.statement]);
        await dispatchOutbox(c.env, [notice]);
        await audit(c, {
          action: 'user.password_reset_requested',
          actorId: null,
          targetType: 'user',
          targetId: user.id,
        });
      })().catch((err) => c.get('log').error('password reset request failed', { err: String(err) })),
    );
    return c.body(null, 202);
  });

  app.openapi(resetPassword, async (c) => {
    const { token, password } = c.req.valid('json');
    const db = c.env.DB;
    // Judge the password before spending the token, so a refused password leaves the link usable.
    assertAcceptablePassword(password);
    const spent = await spendEmailToken(db, token, ['reset_password']);
    if (!spent) throw new AppError('INVALID_TOKEN', 'This link is invalid, used or expired.');
    assertAcceptablePassword(password, spent.email);
    const now = new Date().toISOString();
    const passwordHash = await hashPassword(password, c.env.PASSWORD_PEPPER);
    // Receiving the reset email proves control of the address, so the address counts as verified from here on; when
    // it was not yet, the reset claims the account and the keys made before go in the same batch.
    const claim = claimOf(db, spent.userId, now);
    const results = await db.batch([
      ...claim.statements,
      db
        .prepare(
          'UPDATE users SET password_hash = ?, email_verified_at = coalesce(email_verified_at, ?), updated_at = ? WHERE id = ?',
        )
        .bind(passwordHash, now, now, spent.userId),
    ]);
    const sessions = sessionsOf(c.env, spent.userId);
    const revoked = await sessions.revokeAll('password_reset');
    await sessions.clearFailures();
    const claimed = claim.outcome(results, 0);
    await settleClaim(c, claim, claimed, spent.userId, { sessionsRevoked: true });
    // Every session ended, claimed or not: the gateway isolate that forwarded this forgets them at once.
    forget(c, { users: [spent.userId], apiKeys: claimed.revokedKeyIds });
    await audit(c, {
      action: 'user.password_reset',
      actorId: spent.userId,
      targetType: 'user',
      targetId: spent.userId,
      data: { sessionsRevoked: revoked },
    });
    return c.body(null, 204);
  });

  app.openapi(login, async (c) => {
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
          env.DB.prepare('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?')
            .bind(hash, user.id, user.passwordHash)
            .run(),
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

  app.openapi(refresh, async (c) => {
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

  app.openapi(logout, async (c) => {
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
    }
    clearSessionCookies(c);
    return c.body(null, 204);
  });

  app.openapi(logoutAll, async (c) => {
    const principal = requirePrincipal(c);
    const revoked = await sessionsOf(c.env, principal.userId).revokeAll('logout_all');
    await audit(c, {
      action: 'session.revoked_all',
      actorId: principal.userId,
      targetType: 'user',
      targetId: principal.userId,
      data: { reason: 'logout_all', sessionsRevoked: revoked },
    });
    clearSessionCookies(c);
    return c.body(null, 204);
  });
}

/** A link into the client app carrying a one-time token. */
function linkTo(env: IdentityEnv, page: string, token: string): string {
  return `${env.APP_URL.replace(/\/$/, '')}/${page}?token=${encodeURIComponent(token)}`;
}

/** Emails a fresh verification link to `email`; earlier links of the user stop working. */
export async function sendVerification(
  c: Context<AppEnv>,
  userId: string,
  email: string,
  name: string | null,
  locale: string | null,
  purpose: 'verify_email' | 'change_email' = 'verify_email',
): Promise<void> {
  const db = c.env.DB;
  const token = await newEmailToken(db, purpose, userId, email);
  const notice = securityNotice(db, {
    to: userId,
    ...(purpose === 'change_email' ? { toAddress: email } : {}),
    template: 'identity.verify-email',
    locale,
    data: {
      name,
      token: token.token,
      url: linkTo(c.env, 'verify-email', token.token),
      newEmail: purpose === 'change_email',
    },
  });
  await db.batch([voidEmailTokens(db, userId, purpose), token.statement, notice.statement]);
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [notice]));
}

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

/**
 * Finishes a claim the batch made (services/account-claim.ts): ends every session but `keepSession` (the caller's,
 * when the owner proved the address while signed in), sends the `user.account-claimed` event, audits it, and has
 * the gateway forget the user's sessions and the revoked keys at once. Nothing when the account was proven before.
 */
async function settleClaim(
  c: Context<AppEnv>,
  claim: Claim,
  outcome: { claimed: boolean; revokedKeyIds: string[] },
  userId: string,
  options: { keepSession?: string; sessionsRevoked?: boolean } = {},
): Promise<void> {
  if (!outcome.claimed) return;
  const sessionsRevoked = options.sessionsRevoked
    ? null
    : await sessionsOf(c.env, userId).revokeAll('account_claimed', options.keepSession);
  c.executionCtx.waitUntil(dispatchOutbox(c.env, [claim.event]));
  await audit(c, {
    action: 'user.account_claimed',
    actorId: userId,
    targetType: 'user',
    targetId: userId,
    data: { apiKeysRevoked: outcome.revokedKeyIds, sessionsRevoked },
  });
  forget(c, { users: [userId], apiKeys: outcome.revokedKeyIds });
}
