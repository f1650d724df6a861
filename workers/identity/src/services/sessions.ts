import { ACCESS_TOKEN_TTL_SECONDS } from '@onasis/contracts';
import type { SessionOrigin } from '../durable-objects/user-sessions.js';
import { formatRefreshToken, signAccessToken } from './tokens.js';
import { permissionsOf } from './users.js';

/** The session object of `userId`. */
export function sessionsOf(env: IdentityEnv, userId: string) {
  return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(userId));
}

/** The answer of every sign-in and refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Signs an access token for a session with the user's current permissions. */
export async function accessTokenFor(env: IdentityEnv, userId: string, sessionId: string): Promise<string> {
  return signAccessToken(env, { userId, sessionId, permissions: await permissionsOf(env.DB, userId) });
}

/** Starts a session for a user who has proved who they are, and returns its first tokens. */
export async function startSession(env: IdentityEnv, userId: string, origin: SessionOrigin): Promise<TokenPair> {
  const [session, permissions] = await Promise.all([
    sessionsOf(env, userId).createSession(origin),
    permissionsOf(env.DB, userId),
  ]);
  return {
    accessToken: await signAccessToken(env, { userId, sessionId: session.sessionId, permissions }),
    refreshToken: formatRefreshToken(userId, session.refreshSecret),
    tokenType: 'Bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}
