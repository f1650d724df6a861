/** Creates the tables of a `UserSessions` object (idempotent: run on every start and after `erase`). */
export function createSessionSchema(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      idle_expires_at INTEGER NOT NULL,
      ip TEXT,
      user_agent TEXT,
      method TEXT NOT NULL,
      revoked_at INTEGER,
      revoke_reason TEXT
    );
    CREATE TABLE IF NOT EXISTS refresh_tokens (
      hash TEXT PRIMARY KEY,
      session_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      spent_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS refresh_tokens_session ON refresh_tokens (session_id);
    CREATE INDEX IF NOT EXISTS sessions_user_agent ON sessions (user_agent);
    DROP TABLE IF EXISTS lockout;
    CREATE TABLE IF NOT EXISTS throttles (
      scope TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      last_failure_at INTEGER NOT NULL,
      locked_until INTEGER
    );
    CREATE TABLE IF NOT EXISTS trusted_devices (
      hash TEXT PRIMARY KEY,
      trusted_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS mfa_challenges (
      hash TEXT PRIMARY KEY,
      expires_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      method TEXT NOT NULL
    );
  `);
}
