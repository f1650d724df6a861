import { ACCESS_TOKEN_TTL_SECONDS } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from './audit.js';
import { sessionsOf, type TokenPair } from './sessions.js';
import { originOf } from './sign-in-attempt.js';
import { accessTokenSigner, formatRefreshToken, parseUserToken } from './tokens.js';
import { findUserById, tokenClaimsOf } from './users.js';

/**
 * Rotates `refreshToken` and answers the session's next tokens. A spent token presented again within the grace
 * period gets the same successor; later, it revokes its session (audited).
 */
export async function refreshSession(c: Context<AppEnv>, refreshToken: string): Promise<TokenPair> {
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
  return {
    accessToken: await sign({ userId: user.id, sessionId: rotated.sessionId, ...claims }),
    refreshToken: formatRefreshToken(user.id, rotated.refreshSecret),
    tokenType: 'Bearer' as const,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}
