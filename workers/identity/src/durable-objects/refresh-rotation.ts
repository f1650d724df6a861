import { base64url } from 'jose';
import { hmacKey, sha256Hex } from '../services/crypto.js';
import { liveSession, revokeRow, SESSION_IDLE_MS, type SessionOrigin } from './session-store.js';

/**
 * How long a spent refresh token is still answered with its successor instead of being taken for a stolen copy: two
 * tabs refreshing at once, or a retry after a lost or failed answer, present the same token within seconds.
 */
export const REFRESH_GRACE_MS = 30_000;
/** How many rotations a token answered within the grace period may be behind the family's newest. */
const GRACE_CHAIN = 5;

export type RotateResult =
  /** `replayed`: the token was spent moments ago and this is its successor again (see REFRESH_GRACE_MS). */
  | { ok: true; sessionId: string; refreshSecret: string; replayed?: boolean }
  | { ok: false; reason: 'invalid' | 'reused' | 'expired' };

/** The refresh secret that follows another one, e.g. `(s) => successorOf(key, s)`. */
type SuccessorOf = (secret: string) => Promise<string>;

/** The key successors are derived under: HMAC-SHA-256, derived from KEY_ENCRYPTION_KEY. */
export function successorKeyOf(keyEncryptionKey: string): Promise<CryptoKey> {
  return hmacKey(keyEncryptionKey, 'onasis/refresh-successor');
}

/** The refresh secret that follows `secret`: HMAC-SHA-256 under `key`. */
export async function successorOf(key: Promise<CryptoKey>, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(secret));
  return base64url.encode(new Uint8Array(mac));
}

/** Spends `refreshSecret` and issues the next one of its family (see `UserSessions.rotate`). */
export async function rotateRefreshToken(
  sql: SqlStorage,
  successor: SuccessorOf,
  refreshSecret: string,
  origin: Pick<SessionOrigin, 'ip' | 'userAgent'>,
  now: number,
): Promise<RotateResult> {
  const hash = await sha256Hex(refreshSecret);
  const token = refreshToken(sql, hash);
  if (!token) return { ok: false, reason: 'invalid' };
  const session = liveSession(sql, token.session_id, now);
  if (token.spent_at !== null) {
    if (session && now - token.spent_at <= REFRESH_GRACE_MS) {
      const replay = await successorWithinGrace(sql, successor, refreshSecret, session.id, now);
      if (replay) return { ok: true, sessionId: session.id, refreshSecret: replay, replayed: true };
    }
    if (session) revokeRow(sql, session.id, 'refresh_token_reused', now);
    return { ok: false, reason: 'reused' };
  }
  if (!session) return { ok: false, reason: 'expired' };
  const next = await successor(refreshSecret);
  sql.exec('UPDATE refresh_tokens SET spent_at = ? WHERE hash = ?', now, hash);
  sql.exec(
    'INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
    await sha256Hex(next),
    session.id,
    now,
  );
  sql.exec(
    'UPDATE sessions SET last_used_at = ?, idle_expires_at = ?, ip = coalesce(?, ip), user_agent = coalesce(?, user_agent) WHERE id = ?',
    now,
    Math.min(now + SESSION_IDLE_MS, session.expires_at),
    origin.ip,
    origin.userAgent?.slice(0, 512) ?? null,
    session.id,
  );
  return { ok: true, sessionId: session.id, refreshSecret: next };
}

function refreshToken(sql: SqlStorage, hash: string) {
  return sql
    .exec<{ session_id: string; spent_at: number | null }>(
      'SELECT session_id, spent_at FROM refresh_tokens WHERE hash = ?',
      hash,
    )
    .toArray()[0];
}

/**
 * The unspent successor of a secret spent within the grace period, following successors that were themselves
 * spent within it (a client that refreshed again meanwhile); null when the family moved on beyond that.
 */
async function successorWithinGrace(
  sql: SqlStorage,
  successor: SuccessorOf,
  secret: string,
  sessionId: string,
  now: number,
): Promise<string | null> {
  let current = secret;
  for (let i = 0; i < GRACE_CHAIN; i++) {
    const next = await successor(current);
    const row = refreshToken(sql, await sha256Hex(next));
    if (!row || row.session_id !== sessionId) return null;
    if (row.spent_at === null) return next;
    if (now - row.spent_at > REFRESH_GRACE_MS) return null;
    current = next;
  }
  return null;
}
