import { env, exports } from 'cloudflare:workers';
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
  newId,
} from '@onasis/contracts';
import { eventually, forwardTo } from '@onasis/testing';
import { base64url, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { vi } from 'vitest';

// Raw SQL: these fixtures read and seed identity's and notifications' databases from the gateway's tests, which
// hold no drizzle schema of another Worker (no test imports another Worker's src/).

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

/** The password of every `createUser` account. */
const PASSWORD = 'correct horse battery staple';

let passwordHash: Promise<string> | undefined;

/**
 * Identity's stored hash of `PASSWORD`, made by identity itself: one account registered straight through the
 * `IDENTITY` binding (not through the gateway, whose metrics some tests count) per test file. The hash carries its
 * own salt and names no account, so every fixture user can share it, and only this one PBKDF2 run is spent on them.
 */
function identityHashOfPassword(): Promise<string> {
  passwordHash ??= (async () => {
    const email = `gw-template-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const res = await forwardTo('identity', () => env.IDENTITY)('/auth/register', {
      json: { email, password: PASSWORD },
    });
    if (res.status !== 202) throw new Error(`register failed with ${res.status}: ${await res.text()}`);
    const row = await env.IDENTITY_DB.prepare('SELECT password_hash FROM users WHERE email = ?')
      .bind(email)
      .first<{ password_hash: string }>();
    if (!row) throw new Error(`no account for ${email} after register`);
    return row.password_hash;
  })();
  return passwordHash;
}

/** Inserts an active, verified user with `roles` into identity's database. */
export async function createUser(roles: string[] = ['member']): Promise<TestUser> {
  const id = newId('usr');
  const email = `gw-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const db = env.IDENTITY_DB;
  await db.batch([
    db
      .prepare('INSERT INTO users (id, email, email_verified_at, password_hash) VALUES (?, ?, ?, ?)')
      .bind(id, email, new Date().toISOString(), await identityHashOfPassword()),
    ...roles.map((role) => db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').bind(id, role)),
  ]);
  return { id, email, password: PASSWORD };
}

/**
 * The `token` of the link in the newest `template` email to `userId`, read as the mailbox owner would read it: from
 * the notifications sandbox, which keeps each rendered email (delivery is asynchronous, so this waits for it).
 */
export async function emailedToken(userId: string, template: string): Promise<string> {
  const notificationsDb = (env as unknown as { NOTIFICATIONS_DB: D1Database }).NOTIFICATIONS_DB;
  const text = await eventually(async () => {
    const row = await notificationsDb
      .prepare(
        "SELECT body_text FROM deliveries WHERE recipient = ? AND template = ? AND status = 'sent' ORDER BY created_at DESC LIMIT 1",
      )
      .bind(userId, template)
      .first<{ body_text: string | null }>();
    return row?.body_text;
  });
  const link = text.match(/https?:\/\/\S+/)?.[0];
  const token = link && new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no link with a token in the ${template} email: ${text}`);
  return token;
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
