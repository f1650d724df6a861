import { and, desc, eq, isNotNull, isNull, notInArray, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { type Db, dbOf } from '../db/client.js';
import { signingKeys } from '../db/schema.js';
import { seal, sealingKey, unseal } from './crypto.js';

/** The algorithm of every token-signing key (ECDSA P-256 with SHA-256). */
export const SIGNING_ALG = 'ES256';

/** A key ready to sign with. */
export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/** `v1.<iv>.<ciphertext>` of a private JWK; the kid is bound as additional data so rows cannot be swapped. */
export async function encryptPrivateJwk(jwk: JWK, kid: string, secret: string): Promise<string> {
  return seal(JSON.stringify(jwk), kid, await sealingKey(secret, 'onasis/signing-keys'));
}

/** The private JWK sealed by `encryptPrivateJwk`; throws when the secret, the kid or the ciphertext differ. */
export async function decryptPrivateJwk(sealed: string, kid: string, secret: string): Promise<JWK> {
  return JSON.parse(await unseal(sealed, kid, await sealingKey(secret, 'onasis/signing-keys'))) as JWK;
}

/**
 * Creates a new signing key and stores its public half and its sealed private half. It signs KEY_PUBLISH_LEAD_MS
 * after it is published, or at once with `signNow` (the replacement of a retired key, whose tokens must stop).
 */
async function createSigningKey(
  db: Db,
  secret: string,
  options: { signNow?: boolean } = {},
): Promise<ActiveSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = `key_${crypto.randomUUID().replaceAll('-', '')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), alg: SIGNING_ALG };
  const sealed = await encryptPrivateJwk(await exportJWK(privateKey), kid, secret);
  await db.insert(signingKeys).values({
    kid,
    alg: SIGNING_ALG,
    publicJwk,
    privateJwkEncrypted: sealed,
    signsFrom: options.signNow ? new Date().toISOString() : null,
  });
  return { kid, privateKey: privateKey as CryptoKey };
}

/**
 * How long a new key is published before it signs: longer than any verifier keeps the key set (the gateway refetches
 * an unknown kid at most every 30 s; `/.well-known/jwks.json` may be cached for 5 minutes), so a key is out there
 * before the first token that names it.
 */
const KEY_PUBLISH_LEAD_MS = 10 * 60_000;

/** When a key starts signing: `signs_from`, or KEY_PUBLISH_LEAD_MS after it was published. */
const signsFrom = sql<string>`coalesce(${signingKeys.signsFrom}, strftime('%Y-%m-%dT%H:%M:%fZ', ${signingKeys.createdAt}, ${`+${KEY_PUBLISH_LEAD_MS / 1000} seconds`}))`;

/**
 * The key to sign with: the one that started signing last (see `signsFrom`), or, when none has yet (the very first
 * key), the newest one; created on first use. Two isolates racing here may each create one: both are published and
 * both verify, and the newer signs from then on.
 */
export async function activeSigningKey(db: Db, secret: string): Promise<ActiveSigningKey> {
  const row = await activeKeyRow(db);
  if (!row?.sealed) return createSigningKey(db, secret);
  const jwk = await decryptPrivateJwk(row.sealed, row.kid, secret);
  return { kid: row.kid, privateKey: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey };
}

async function activeKeyRow(db: Db) {
  const now = new Date().toISOString();
  const [row] = await db
    .select({ kid: signingKeys.kid, sealed: signingKeys.privateJwkEncrypted, signsFrom })
    .from(signingKeys)
    .where(and(isNull(signingKeys.retiredAt), isNotNull(signingKeys.privateJwkEncrypted)))
    .orderBy(sql`${signsFrom} <= ${now} DESC`, desc(signsFrom), desc(signingKeys.kid))
    .limit(1);
  return row;
}

/**
 * Rotation: a new current key, the previous one kept for verification of tokens it signed, every older one retired
 * (unpublished, and its sealed private half erased). Safe to repeat: each run only moves keys forward.
 */
export async function rotateSigningKeys(db: Db, secret: string, keep = 2): Promise<string> {
  const { kid } = await createSigningKey(db, secret);
  const kept = await db
    .select({ kid: signingKeys.kid })
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid))
    .limit(keep);
  await db
    .update(signingKeys)
    .set({ retiredAt: new Date().toISOString(), privateJwkEncrypted: null })
    .where(
      and(
        isNull(signingKeys.retiredAt),
        notInArray(
          signingKeys.kid,
          kept.map((k) => k.kid),
        ),
      ),
    );
  return kid;
}

/** The public JWKs of every key that is not retired, oldest first, with `kid` and `use` set. One D1 query. */
export async function publishedKeys(d1: D1Database): Promise<JWK[]> {
  let query = published.get(d1);
  if (query === undefined) {
    query = preparePublished(d1);
    published.set(d1, query);
  }
  const rows = await query.all();
  return rows.map((r) => ({ ...r.publicJwk, kid: r.kid, use: 'sig' }));
}

function preparePublished(d1: D1Database) {
  return dbOf(d1)
    .select({ kid: signingKeys.kid, publicJwk: signingKeys.publicJwk })
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(signingKeys.createdAt)
    .prepare();
}

// Prepared once per binding: the JWKS read is the gateway's hottest uncached route, and building the query each
// time cost it more than 5% of its CPU per request.
const published = new WeakMap<D1Database, ReturnType<typeof preparePublished>>();

/** A signing key as an admin sees it; never its private half. */
export interface SigningKeyView {
  kid: string;
  alg: string;
  /** `active` signs new tokens; `published` verifies (before it signs, or after a newer key took over); `retired`. */
  status: 'active' | 'published' | 'retired';
  createdAt: string;
  signsFrom: string;
  retiredAt: string | null;
}

/** Every signing key, newest first, at most `limit` (the table holds a few keys a year). */
export async function listSigningKeys(db: Db, limit = 100): Promise<SigningKeyView[]> {
  const [active, rows] = await Promise.all([
    activeKeyRow(db),
    db
      .select({
        kid: signingKeys.kid,
        alg: signingKeys.alg,
        createdAt: signingKeys.createdAt,
        signsFrom,
        retiredAt: signingKeys.retiredAt,
      })
      .from(signingKeys)
      .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid))
      .limit(limit),
  ]);
  return rows.map((r) => ({
    ...r,
    status: r.retiredAt !== null ? 'retired' : r.kid === active?.kid ? 'active' : 'published',
  }));
}

/**
 * Unpublishes `kid` at once and erases its private half: for a key that leaked. Retiring the key that signs first
 * starts a replacement that signs at once (no publishing lead: the leaked key's tokens must stop, and verifiers that
 * meet the new kid refetch the key set). Retiring a retired key changes nothing. Null for an unknown kid.
 */
export async function unpublishSigningKey(
  db: Db,
  secret: string,
  kid: string,
): Promise<{ key: SigningKeyView; replacedBy: string | null } | null> {
  const [row] = await db.select({ retiredAt: signingKeys.retiredAt }).from(signingKeys).where(eq(signingKeys.kid, kid));
  if (!row) return null;
  let replacedBy: string | null = null;
  if (row.retiredAt === null) {
    if ((await activeKeyRow(db))?.kid === kid) replacedBy = (await createSigningKey(db, secret, { signNow: true })).kid;
    await db
      .update(signingKeys)
      .set({ retiredAt: new Date().toISOString(), privateJwkEncrypted: null })
      .where(and(eq(signingKeys.kid, kid), isNull(signingKeys.retiredAt)));
  }
  const key = (await listSigningKeys(db)).find((k) => k.kid === kid);
  if (!key) return null;
  return { key, replacedBy };
}

/**
 * How long a key stays published after a newer key started signing: an access token lives 15 minutes and an
 * isolate keeps signing with the key it loaded for up to a minute, so an hour leaves every token it signed to expire.
 */
const SUPERSEDED_KEY_PUBLISHED_MS = 60 * 60_000;

/**
 * The scheduled part of key rotation (identity's maintenance job): starts a new key when the one that signs began
 * more than `rotationDays` ago and none is waiting to take over, and retires keys that a newer key replaced more
 * than SUPERSEDED_KEY_PUBLISHED_MS ago. Safe to run concurrently: two runs may both start a key, and the older of
 * the two is retired an hour after the newer takes over.
 */
export async function rotateSigningKeysIfDue(
  db: Db,
  secret: string,
  rotationDays: number,
): Promise<{ rotated: string | null; retired: number }> {
  const now = Date.now();
  const live = await db
    .select({ kid: signingKeys.kid, signsFrom })
    .from(signingKeys)
    .where(and(isNull(signingKeys.retiredAt), isNotNull(signingKeys.privateJwkEncrypted)))
    .orderBy(desc(signsFrom));
  const nowIso = new Date(now).toISOString();
  const signing = live.filter((k) => k.signsFrom <= nowIso);
  const waiting = live.length > signing.length;
  const current = signing[0];
  let rotated: string | null = null;
  if (current && !waiting && Date.parse(current.signsFrom) <= now - rotationDays * 24 * 3600_000) {
    rotated = (await createSigningKey(db, secret)).kid;
  }
  // Keys that stopped signing: each is replaced by the newest key that started after it.
  const replacedBefore = new Date(now - SUPERSEDED_KEY_PUBLISHED_MS).toISOString();
  const newestStart = signing.find((k) => k.signsFrom <= replacedBefore)?.signsFrom;
  let retired = 0;
  if (newestStart !== undefined) {
    const result = await db
      .update(signingKeys)
      .set({ retiredAt: nowIso, privateJwkEncrypted: null })
      .where(and(isNull(signingKeys.retiredAt), sql`${signsFrom} < ${newestStart}`))
      .returning({ kid: signingKeys.kid });
    retired = result.length;
  }
  return { rotated, retired };
}
