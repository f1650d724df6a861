import { FAILURE_MEMORY_MS, TRUSTED_DEVICE_MS } from './session-lockout.js';

/** Drops sessions, tokens, challenges, failure counts and device trust that can no longer be used; returns how many rows are left. */
export function sweepSessions(sql: SqlStorage, now: number): number {
  const dead = `SELECT id FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= ? OR idle_expires_at <= ?`;
  sql.exec(`DELETE FROM refresh_tokens WHERE session_id IN (${dead})`, now, now);
  sql.exec('DELETE FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= ? OR idle_expires_at <= ?', now, now);
  sql.exec('DELETE FROM mfa_challenges WHERE expires_at <= ?', now);
  sql.exec('DELETE FROM throttles WHERE last_failure_at <= ?', now - FAILURE_MEMORY_MS);
  sql.exec('DELETE FROM trusted_devices WHERE trusted_at <= ?', now - TRUSTED_DEVICE_MS);
  return sql
    .exec<{ n: number }>(
      `SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM mfa_challenges)
         + (SELECT count(*) FROM throttles) + (SELECT count(*) FROM trusted_devices) AS n`,
    )
    .one().n;
}

/** When the next cleanup is due (epoch ms): the next expiry of a live session or challenge, a day from now at the latest. */
export function nextCleanupAt(sql: SqlStorage, now: number): number {
  const next = sql
    .exec<{ at: number | null }>(
      `SELECT min(at) AS at FROM (
         SELECT min(expires_at, idle_expires_at) AS at FROM sessions WHERE revoked_at IS NULL
         UNION ALL SELECT expires_at FROM mfa_challenges)`,
    )
    .toArray()[0]?.at;
  // Revoked rows linger until the next expiry passes; a daily sweep bounds that.
  return Math.min(next ?? Number.POSITIVE_INFINITY, now + 24 * 3600 * 1000);
}
