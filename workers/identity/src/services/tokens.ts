import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
} from '@onasis/contracts';
import { SignJWT } from 'jose';
import { dbOf } from '../db/client.js';
import { type ActiveSigningKey, activeSigningKey } from './signing-keys.js';

/**
 * How long an isolate keeps signing with the key it loaded before it looks for a newer one. Short, because a retired
 * (leaked) key must stop signing everywhere soon, not only in the isolate that retired it.
 */
const KEY_CACHE_MS = 60 * 1000;
let cachedKey: { key: ActiveSigningKey; loadedAt: number } | null = null;

async function signingKey(env: IdentityEnv): Promise<ActiveSigningKey> {
  const now = Date.now();
  if (cachedKey && now - cachedKey.loadedAt < KEY_CACHE_MS) return cachedKey.key;
  const key = await activeSigningKey(dbOf(env.DB), env.KEY_ENCRYPTION_KEY);
  cachedKey = { key, loadedAt: now };
  return key;
}

/** Forgets the cached signing key, so that the next token is signed with the current one (after a rotation). */
export function forgetSigningKey(): void {
  cachedKey = null;
}

/** What a token is issued for. */
interface TokenSubject {
  userId: string;
  sessionId: string;
  permissions: string[];
  /** Billing plan, for the gateway's quota. */
  plan: string;
}

/** A signed access token: ES256, `typ: at+jwt`, 15 minutes, with the subject's session and permissions. */
export async function signAccessToken(env: IdentityEnv, subject: TokenSubject): Promise<string> {
  return signWith(env, await signingKey(env), subject);
}

/**
 * Loads the signing key first and answers a signer that needs no I/O: a refresh gets everything it needs for the
 * new access token before it spends the refresh token, so no failure can leave the client with neither.
 */
export async function accessTokenSigner(env: IdentityEnv): Promise<(subject: TokenSubject) => Promise<string>> {
  const key = await signingKey(env);
  return (subject) => signWith(env, key, subject);
}

function signWith(env: IdentityEnv, key: ActiveSigningKey, subject: TokenSubject): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: subject.sessionId, permissions: subject.permissions, plan: subject.plan })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid: key.kid })
    .setIssuer(env.ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(subject.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(crypto.randomUUID())
    .sign(key.privateKey);
}

/** The refresh token handed to clients: the user id (to find the user's session object) and a 256-bit secret. */
export function formatRefreshToken(userId: string, secret: string): string {
  return `${userId}.${secret}`;
}

/** The parts of a refresh or MFA challenge token, or null when it is not shaped like one. */
export function parseUserToken(token: string): { userId: string; secret: string } | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || dot === token.length - 1 || token.length > 256) return null;
  const userId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!/^usr_[A-Za-z0-9_]+$/.test(userId) || !/^[A-Za-z0-9_-]{32,}$/.test(secret)) return null;
  return { userId, secret };
}
