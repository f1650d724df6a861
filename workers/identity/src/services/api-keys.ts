import { newId, type VerifiedApiKey } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, desc, eq, gt, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { apiKeys, users } from '../db/schema.js';
import { randomSecret, sha256Hex } from './crypto.js';
import { heldPermissions, heldPermissionsColumn } from './held-permissions.js';
import { canonicalPermissions } from './roles.js';

/** What every API key starts with, so that the gateway (and secret scanners) can tell one from an access token. */
const API_KEY_PREFIX = 'onk_';
/** Live (neither revoked nor expired) keys a user may hold at once. */
export const MAX_ACTIVE_API_KEYS = 25;
/** `last_used_at` is written at most this often per key: a busy key must not turn every request into a D1 write. */
export const LAST_USED_RESOLUTION_MS = 60 * 1000;

/** `onk_<8 lower-case alphanumerics>_<43 base64url characters: 256 random bits>`. */
const KEY_PATTERN = /^onk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A key as its owner sees it in lists; never the secret (`prefix`: `onk_` and 8 characters, to recognise a key). */
export type ApiKeyView = Pick<
  typeof apiKeys.$inferSelect,
  'id' | 'name' | 'prefix' | 'scopes' | 'createdAt' | 'expiresAt' | 'lastUsedAt'
>;

const viewColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
};

function visiblePrefix(): string {
  // 36^8 is not a power of two, so rejection keeps every character equally likely; the prefix only tells keys apart.
  const out: string[] = [];
  while (out.length < 8) {
    for (const b of crypto.getRandomValues(new Uint8Array(8))) {
      if (b < 252 && out.length < 8) out.push(PREFIX_ALPHABET[b % 36] as string);
    }
  }
  return out.join('');
}

/** Whether `key` has the shape of an API key; anything else is refused without a database lookup. */
function looksLikeApiKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/**
 * Creates a key for `userId` with `scopes`, which must all be among `held` (the user's current permissions). Returns
 * the key with its secret, which is shown this once: only its hash is kept.
 */
export async function insertApiKey(
  d1: D1Database,
  input: { userId: string; name: string; scopes: readonly string[]; expiresAt?: string; held: readonly string[] },
  now = new Date(),
): Promise<ApiKeyView & { secret: string }> {
  const held = new Set(input.held);
  const beyond = input.scopes.filter((s) => !held.has(s));
  if (beyond.length > 0)
    throw new AppError('VALIDATION_FAILED', 'A key can only have permissions its owner holds.', {
      errors: beyond.map((scope) => ({ path: 'scopes', message: `You do not hold ${scope}.` })),
    });
  let expiresAt: string | null = null;
  if (input.expiresAt !== undefined) {
    const at = new Date(input.expiresAt);
    if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime())
      throw new AppError('VALIDATION_FAILED', 'expiresAt must be a time in the future.', {
        errors: [{ path: 'expiresAt', message: 'Must be in the future' }],
      });
    // Stored in toISOString form so that string comparison with other timestamps is time comparison.
    expiresAt = at.toISOString();
  }
  const prefix = `${API_KEY_PREFIX}${visiblePrefix()}`;
  const secret = `${prefix}_${randomSecret(32)}`;
  const id = newId('apk');
  const scopes = canonicalPermissions(input.scopes);
  const createdAt = now.toISOString();
  const live = and(
    eq(apiKeys.userId, input.userId),
    isNull(apiKeys.revokedAt),
    or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, createdAt)),
  );
  // Counting and inserting in one statement keeps two concurrent requests from both taking the last free place.
  const db = dbOf(d1);
  const inserted = await db
    .insert(apiKeys)
    .select(
      db
        .select({
          id: sql`${id}`.as('id'),
          userId: users.id,
          name: sql`${input.name}`.as('name'),
          prefix: sql`${prefix}`.as('prefix'),
          keyHash: sql`${await sha256Hex(secret)}`.as('key_hash'),
          scopes: sql`${JSON.stringify(scopes)}`.as('scopes'),
          createdAt: sql`${createdAt}`.as('created_at'),
          expiresAt: sql`${expiresAt}`.as('expires_at'),
          lastUsedAt: sql`NULL`.as('last_used_at'),
          revokedAt: sql`NULL`.as('revoked_at'),
        })
        .from(users)
        .where(and(eq(users.id, input.userId), lt(db.$count(apiKeys, live), MAX_ACTIVE_API_KEYS))),
    )
    .returning({ id: apiKeys.id });
  if (inserted.length !== 1)
    throw new AppError('CONFLICT', `You already have ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first.`);
  return { id, name: input.name, prefix, scopes, createdAt, expiresAt, lastUsedAt: null, secret };
}

/** The user's keys that are not revoked (expired ones included, so that their owner sees why one stopped), newest first. */
export async function listApiKeys(d1: D1Database, userId: string): Promise<ApiKeyView[]> {
  return dbOf(d1)
    .select(viewColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** Revokes one of the user's keys; false when the user has no unrevoked key with this id. */
export async function markApiKeyRevoked(
  d1: D1Database,
  userId: string,
  id: string,
  now = new Date(),
): Promise<boolean> {
  const revoked = await dbOf(d1)
    .update(apiKeys)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return revoked.length === 1;
}

/**
 * The caller an API key proves, or null when it is unknown, revoked, expired, or its user is disabled or has not
 * proven their address (keys from before that rule must not act for an account still open to being claimed). The key's
 * scopes are narrowed to the permissions its user holds now, so that losing a role shrinks every key with it.
 * `touch` receives the write that records the use, at most once per LAST_USED_RESOLUTION_MS per key, for the caller
 * to run after answering.
 */
export async function verifyApiKey(
  d1: D1Database,
  key: unknown,
  touch: (write: Promise<unknown>) => void,
  now = new Date(),
): Promise<VerifiedApiKey | null> {
  if (!looksLikeApiKey(key)) return null;
  const at = now.toISOString();
  const db = dbOf(d1);
  // One query on this hot path (every API-key request the gateway has not cached): the key, its user and what they hold.
  const [row] = await db
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      scopes: apiKeys.scopes,
      lastUsedAt: apiKeys.lastUsedAt,
      plan: users.plan,
      held: heldPermissionsColumn(users.id),
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.keyHash, await sha256Hex(key)),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, at)),
        eq(users.status, 'active'),
        isNotNull(users.emailVerifiedAt),
      ),
    );
  if (!row) return null;
  const held = new Set(heldPermissions(row.held));
  const scopes = row.scopes.filter((s) => held.has(s));
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  if (row.lastUsedAt === null || row.lastUsedAt <= staleBefore) {
    // Conditional, so that of many isolates seeing the same stale time only the first write lands.
    touch(
      db
        .update(apiKeys)
        .set({ lastUsedAt: at })
        .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, staleBefore))))
        .run(),
    );
  }
  return { userId: row.userId, keyId: row.id, scopes, plan: row.plan };
}
