import { randomSecret, sha256Hex } from '../services/crypto.js';
import { describeDevice } from '../services/device.js';

/** Refresh-token family lifetime: absolute from sign-in, and idle since the last refresh. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;

/** A session as listed to its user. */
export interface SessionView {
  id: string;
  device: string;
  ip: string | null;
  userAgent: string | null;
  method: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

/** Where a new session comes from. */
export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
  /** How the user proved who they are: `password`, `password+mfa`, `oauth:<provider>`, `password-reset`… */
  method: string;
}

type SessionRow = {
  id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  idle_expires_at: number;
  ip: string | null;
  user_agent: string | null;
  method: string;
  revoked_at: number | null;
};

const iso = (ms: number) => new Date(ms).toISOString();

/** Inserts a session with its first refresh token (see `UserSessions.createSession`). */
export async function insertSession(
  sql: SqlStorage,
  origin: SessionOrigin,
  now: number,
): Promise<{ sessionId: string; refreshSecret: string; knownDevice: boolean }> {
  const knownDevice =
    sql.exec('SELECT 1 FROM sessions WHERE user_agent IS ? LIMIT 1', origin.userAgent?.slice(0, 512) ?? null).toArray()
      .length > 0;
  const sessionId = `ses_${randomSecret(12)}`;
  const refreshSecret = randomSecret(32);
  const hash = await sha256Hex(refreshSecret);
  sql.exec(
    `INSERT INTO sessions (id, created_at, last_used_at, expires_at, idle_expires_at, ip, user_agent, method)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    sessionId,
    now,
    now,
    now + SESSION_ABSOLUTE_MS,
    now + SESSION_IDLE_MS,
    origin.ip,
    origin.userAgent?.slice(0, 512) ?? null,
    origin.method,
  );
  sql.exec('INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)', hash, sessionId, now);
  return { sessionId, refreshSecret, knownDevice };
}

/** The live sessions, newest first. */
export function listSessions(sql: SqlStorage, now: number): SessionView[] {
  return sql
    .exec<SessionRow>(
      `SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > ? AND idle_expires_at > ?
       ORDER BY created_at DESC`,
      now,
      now,
    )
    .toArray()
    .map((s) => ({
      id: s.id,
      device: describeDevice(s.user_agent),
      ip: s.ip,
      userAgent: s.user_agent,
      method: s.method,
      createdAt: iso(s.created_at),
      lastUsedAt: iso(s.last_used_at),
      expiresAt: iso(Math.min(s.expires_at, s.idle_expires_at)),
    }));
}

/** Marks every live session (except `keep`, when given) revoked; the cursor's `rowsWritten` says how many. */
export function revokeAllRows(
  sql: SqlStorage,
  reason: string,
  keep: string | undefined,
  now: number,
): SqlStorageCursor<Record<string, SqlStorageValue>> {
  return sql.exec(
    'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE revoked_at IS NULL AND id != ?',
    now,
    reason,
    keep ?? '',
  );
}

export function liveSession(sql: SqlStorage, id: string, now: number): SessionRow | null {
  const row = sql.exec<SessionRow>('SELECT * FROM sessions WHERE id = ?', id).toArray()[0];
  if (!row || row.revoked_at !== null || row.expires_at <= now || row.idle_expires_at <= now) return null;
  return row;
}

export function revokeRow(sql: SqlStorage, id: string, reason: string, now: number): void {
  sql.exec('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ?', now, reason, id);
}
