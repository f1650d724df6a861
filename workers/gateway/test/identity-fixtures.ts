import { env, exports } from 'cloudflare:workers';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
} from '@onasis/contracts';
import { base64url, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { vi } from 'vitest';
import { hashPassword } from '../../identity/src/services/password.js';

/** The pepper the test config hands identity (vitest.config.ts). */
const PASSWORD_PEPPER = 'test-pepper';

/** Sends a request to the gateway as a client would. */
export function request(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(`http://gateway${path}`, init);
}

/** `init` with `Authorization: Bearer <token>` added. */
export function bearer(token: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } };
}

/** A JSON request body. */
export function json(body: unknown, init: RequestInit = {}): RequestInit {
  return {
    method: 'POST',
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** Inserts an active, verified user with `roles` into identity's database. */
export async function createUser(roles: string[] = ['member']): Promise<TestUser> {
  const id = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  const email = `gw-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery staple';
  const db = env.IDENTITY_DB;
  await db.batch([
    db
      .prepare('INSERT INTO users (id, email, email_verified_at, password_hash) VALUES (?, ?, ?, ?)')
      .bind(id, email, new Date().toISOString(), await hashPassword(password, PASSWORD_PEPPER)),
    ...roles.map((role) => db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').bind(id, role)),
  ]);
  return { id, email, password };
}

export interface SignedIn {
  user: TestUser;
  accessToken: string;
  refreshToken: string;
  /** The claims identity put in the access token. */
  subject: { sub: string; sid: string; permissions: string[] };
}

/** Signs `user` in through the gateway with email and password, as a client would. */
export async function signIn(user: TestUser, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await request('/auth/login', json({ email: user.email, password: user.password }, { headers }));
  if (res.status !== 200) throw new Error(`sign-in failed with ${res.status}: ${await res.text()}`);
  const { accessToken, refreshToken } = await res.json<{ accessToken: string; refreshToken: string }>();
  const claims = decodeJwt(accessToken);
  return {
    user,
    accessToken,
    refreshToken,
    subject: { sub: String(claims.sub), sid: String(claims.sid), permissions: claims.permissions as string[] },
  };
}

/** A new member (or holder of `roles`), signed in. */
export async function signedInUser(roles: string[] = ['member']): Promise<SignedIn> {
  return signIn(await createUser(roles));
}

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** A fresh ES256 key pair, unpublished. */
export async function newKey(kid = `key_test_${crypto.randomUUID().replaceAll('-', '')}`): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  return { kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), alg: ACCESS_TOKEN_ALG } };
}

/**
 * A fresh key published the way identity publishes its own: a `signing_keys` row with the public half. Without a
 * private half it is a verify-only key, which identity lists in its JWKS but never signs with.
 */
export async function publishedKey(): Promise<TestKey> {
  const key = await newKey();
  await env.IDENTITY_DB.prepare('INSERT INTO signing_keys (kid, alg, public_jwk) VALUES (?, ?, ?)')
    .bind(key.kid, ACCESS_TOKEN_ALG, JSON.stringify(key.publicJwk))
    .run();
  return key;
}

/** The claims identity puts in an access token (services/tokens.ts), for `subject`, issued now. */
export function accessClaims(subject: SignedIn['subject']): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sid: subject.sid,
    permissions: subject.permissions,
    plan: 'free',
    iss: env.ISSUER,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: subject.sub,
    iat: now,
    exp: now + ACCESS_TOKEN_TTL_SECONDS,
    jti: crypto.randomUUID(),
  };
}

/**
 * An access token shaped exactly like identity's, signed with `key`; `claims` and `header` replace or (as
 * `undefined`) remove entries, and `signWith` signs with another key under the same header.
 */
export async function signToken(
  key: TestKey,
  subject: SignedIn['subject'],
  options: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    signWith?: CryptoKey | Uint8Array;
  } = {},
): Promise<string> {
  const payload = withOverrides(accessClaims(subject), options.claims);
  const header = withOverrides({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYPE, kid: key.kid }, options.header);
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(options.signWith ?? key.privateKey);
}

/** A JWS whose signature part is whatever `signature` says; for tokens no library will produce. */
export function unsignedToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

function withOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const out = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

const realNow = Date.now.bind(Date);

/**
 * Sets this isolate's clock `ms` ahead of real time (`Date.now` only: jose reads `new Date()`, so token times stay
 * real), as if that much time had passed for the gateway's caches. `vi.restoreAllMocks()` undoes it.
 */
export function advanceClock(ms: number): void {
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
}
