import { and, desc, eq, isNotNull, isNull, notInArray, sql } from 'drizzle-orm';
import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
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

/** Creates a new signing key and stores its public half and its sealed private half. */
export async function createSigningKey(db: DrizzleD1Database, secret: string): Promise<ActiveSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = `key_${crypto.randomUUID().replaceAll('-', '')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), alg: SIGNING_ALG };
  const sealed = await encryptPrivateJwk(await exportJWK(privateKey), kid, secret);
  await db.insert(signingKeys).values({ kid, alg: SIGNING_ALG, publicJwk, privateJwkEncrypted: sealed });
  return { kid, privateKey: privateKey as CryptoKey };
}

/**
 * How long a new key is published before it signs: longer than any verifier keeps the key set (the gateway refetches
 * an unknown kid at most every 30 s; `/.well-known/jwks.json` may be cached for 5 minutes), so a key is out there
 * before the first token that names it.
 */
export const KEY_PUBLISH_LEAD_MS = 10 * 60_000;

/**
 * The key to sign with: the newest one that has been published for KEY_PUBLISH_LEAD_MS, or, when none has (the
 * very first key), the newest one; created on first use. Two isolates racing here may each create one: both are
 * published and both verify, and the newer signs from then on.
 */
export async function activeSigningKey(db: DrizzleD1Database, secret: string): Promise<ActiveSigningKey> {
  const publishedBefore = new Date(Date.now() - KEY_PUBLISH_LEAD_MS).toISOString();
  const [row] = await db
    .select({ kid: signingKeys.kid, sealed: signingKeys.privateJwkEncrypted })
    .from(signingKeys)
    .where(and(isNull(signingKeys.retiredAt), isNotNull(signingKeys.privateJwkEncrypted)))
    .orderBy(
      sql`${signingKeys.createdAt} <= ${publishedBefore} DESC`,
      desc(signingKeys.createdAt),
      desc(signingKeys.kid),
    )
    .limit(1);
  if (!row?.sealed) return createSigningKey(db, secret);
  const jwk = await decryptPrivateJwk(row.sealed, row.kid, secret);
  return { kid: row.kid, privateKey: (await importJWK(jwk, SIGNING_ALG)) as CryptoKey };
}

/**
 * Rotation: a new current key, the previous one kept for verification of tokens it signed, every older one retired
 * (unpublished, and its sealed private half erased). Safe to repeat: each run only moves keys forward.
 */
export async function rotateSigningKeys(db: DrizzleD1Database, secret: string, keep = 2): Promise<string> {
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

/** Whether `kid` names a published key (for tests and diagnostics). */
export async function isPublished(db: DrizzleD1Database, kid: string): Promise<boolean> {
  const [row] = await db.select({ retiredAt: signingKeys.retiredAt }).from(signingKeys).where(eq(signingKeys.kid, kid));
  return row !== undefined && row.retiredAt === null;
}

/** The public JWKs of every key that is not retired, oldest first, with `kid` and `use` set. One D1 query. */
export async function publishedKeys(db: D1Database): Promise<JWK[]> {
  const rows = await drizzle(db)
    .select({ kid: signingKeys.kid, publicJwk: signingKeys.publicJwk })
    .from(signingKeys)
    .where(isNull(signingKeys.retiredAt))
    .orderBy(signingKeys.createdAt);
  return rows.map((r) => ({ ...r.publicJwk, kid: r.kid, use: 'sig' }));
}
