import { newId, type VerifiedApiKey } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { randomSecret, sha256Hex } from './crypto.js';
import { canonicalPermissions } from './roles.js';

/** What every API key starts with, so that the gateway (and secret scanners) can tell one from an access token. */
export const API_KEY_PREFIX = 'onk_';
/** Live (neither revoked nor expired) keys a user may hold at once. */
export const MAX_ACTIVE_API_KEYS = 25;
/** `last_used_at` is written at most this often per key: a busy key must not turn every request into a D1 write. */
export const LAST_USED_RESOLUTION_MS = 60 * 1000;

/** `onk_<8 lower-case alphanumerics>_<43 base64url characters: 256 random bits>`. */
const KEY_PATTERN = /^onk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A key as its owner sees it in lists; never the secret. */
export interface ApiKeyView {
  id: string;
  name: string;
  /** `onk_` and the key's first 8 characters after it: enough to recognise a key, useless to use one. */
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

type Row = {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
};

function toView(row: Row): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

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
export function looksLikeApiKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/**
 * Creates a key for `userId` with `scopes`, which must all be among `held` (the user's current permissions). Returns
 * the key with its secret, which is shown this once: only its hash is kept.
 */
export async function createApiKey(
  db: D1Database,
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
  // Counting and inserting in one statement keeps two concurrent requests from both taking the last free place.
  const { meta } = await db
    .prepare(
      `INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at, expires_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
       WHERE (SELECT COUNT(*) FROM api_keys WHERE user_id = ?2 AND revoked_at IS NULL
              AND (expires_at IS NULL OR expires_at > ?7)) < ?9`,
    )
    .bind(
      id,
      input.userId,
      input.name,
      prefix,
      await sha256Hex(secret),
      JSON.stringify(scopes),
      createdAt,
      expiresAt,
      MAX_ACTIVE_API_KEYS,
    )
    .run();
  if (meta.changes !== 1)
    throw new AppError('CONFLICT', `You already have ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first.`);
  return { id, name: input.name, prefix, scopes, createdAt, expiresAt, lastUsedAt: null, secret };
}

/** The user's keys that are not revoked (expired ones included, so that their owner sees why one stopped), newest first. */
export async function listApiKeys(db: D1Database, userId: string): Promise<ApiKeyView[]> {
  const { results } = await db
    .prepare(
      `SELECT id, name, prefix, scopes, created_at, expires_at, last_used_at FROM api_keys
       WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC`,
    )
    .bind(userId)
    .all<Row>();
  return results.map(toView);
}

/** Revokes one of the user's keys; false when the user has no unrevoked key with this id. */
export async function revokeApiKey(db: D1Database, userId: string, id: string, now = new Date()): Promise<boolean> {
  const { meta } = await db
    .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL')
    .bind(now.toISOString(), id, userId)
    .run();
  return meta.changes === 1;
}

/** Who a valid API key acts for, as the gateway receives it. */

type VerifyRow = {
  id: string;
  user_id: string;
  scopes: string;
  last_used_at: string | null;
  plan: string;
  held: string | null;
};

/**
 * The caller an API key proves, or null when it is unknown, revoked, expired, or its user is disabled or has not
 * proven their address (keys from before that rule must not act for an account still open to being claimed). The key's
 * scopes are narrowed to the permissions its user holds now, so that losing a role shrinks every key with it.
 * `touch` receives the write that records the use, at most once per LAST_USED_RESOLUTION_MS per key, for the caller
 * to run after answering.
 */
export async function verifyApiKey(
  db: D1Database,
  key: unknown,
  touch: (write: Promise<unknown>) => void,
  now = new Date(),
): Promise<VerifiedApiKey | null> {
  if (!looksLikeApiKey(key)) return null;
  const at = now.toISOString();
  const row = await db
    .prepare(
      `SELECT k.id, k.user_id, k.scopes, k.last_used_at, u.plan, (
         SELECT json_group_array(DISTINCT p.value) FROM user_roles ur JOIN roles r ON r.name = ur.role,
           json_each(r.permissions) p WHERE ur.user_id = u.id
       ) AS held
       FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.key_hash = ? AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)
         AND u.status = 'active' AND u.email_verified_at IS NOT NULL`,
    )
    .bind(await sha256Hex(key), at)
    .first<VerifyRow>();
  if (!row) return null;
  const held = new Set(JSON.parse(row.held ?? '[]') as (string | null)[]);
  const scopes = (JSON.parse(row.scopes) as string[]).filter((s) => held.has(s));
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  if (row.last_used_at === null || row.last_used_at <= staleBefore) {
    // Conditional, so that of many isolates seeing the same stale time only the first write lands.
    touch(
      db
        .prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)')
        .bind(at, row.id, staleBefore)
        .run(),
    );
  }
  return { userId: row.user_id, keyId: row.id, scopes, plan: row.plan };
}
