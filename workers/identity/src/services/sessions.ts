import { ACCESS_TOKEN_TTL_SECONDS } from '@onasis/contracts';
import { dbOf } from '../db/client.js';
import type { SessionOrigin } from '../durable-objects/user-sessions.js';
import { sha256Hex } from './crypto.js';
import { describeDevice } from './device.js';
import { dispatchOutbox, securityNotice } from './outbox.js';
import { userSignedIn } from './platform-events.js';
import { formatRefreshToken, signAccessToken } from './tokens.js';
import { normaliseEmail, tokenClaimsOf } from './users.js';

/** The session object of `userId`. */
export function sessionsOf(env: IdentityEnv, userId: string) {
  return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(userId));
}

/**
 * The lockout counter of an email address that has no account: an object of the same class, named after the
 * address's hash, so that failures there are counted, delayed and answered exactly as an account's are.
 */
export async function unknownEmailThrottle(env: IdentityEnv, email: string) {
  return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`email:${await sha256Hex(normaliseEmail(email))}`));
}

/** The answer of every sign-in and refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * Starts a session for a user who has proved who they are, and returns its first tokens. A sign-in from a device
 * the user has no session from puts a new-sign-in notice on the notifications queue, and every one a `user.signed-in`
 * business event on the platform-events queue (both through the outbox).
 */
export async function startSession(
  env: IdentityEnv,
  userId: string,
  origin: SessionOrigin,
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
): Promise<TokenPair> {
  const [session, claims] = await Promise.all([
    sessionsOf(env, userId).createSession(origin),
    tokenClaimsOf(env.DB, userId),
  ]);
  const signedIn = userSignedIn(env.DB, userId, session.sessionId, origin.method);
  const notice = session.knownDevice
    ? null
    : securityNotice(env.DB, {
        to: userId,
        template: 'identity.new-sign-in',
        data: {
          device: describeDevice(origin.userAgent),
          ip: origin.ip,
          method: origin.method,
          at: new Date().toISOString(),
        },
      });
  // The session lives in its Durable Object, so these rows cannot share its transaction: written after it, a crash
  // in between loses them (the sign-in is then neither counted nor told), never the session.
  const db = dbOf(env.DB);
  const sent = db
    .batch([signedIn.statement, ...(notice ? [notice.statement] : [])])
    .then(() => dispatchOutbox(env, notice ? [signedIn, notice] : [signedIn]));
  if (ctx) ctx.waitUntil(sent);
  else await sent;
  return {
    accessToken: await signAccessToken(env, { userId, sessionId: session.sessionId, ...claims }),
    refreshToken: formatRefreshToken(userId, session.refreshSecret),
    tokenType: 'Bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}
