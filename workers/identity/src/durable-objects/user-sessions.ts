import { DurableObject } from 'cloudflare:workers';
import { base64url } from 'jose';
import { hmacKey, randomSecret, sha256Hex } from '../services/crypto.js';
import { describeDevice } from '../services/device.js';

/** Refresh-token family lifetime: absolute from sign-in, and idle since the last refresh. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
/** Failed sign-ins allowed before the account locks, and the first and longest lock. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_BASE_MS = 30_000;
export const LOCKOUT_MAX_MS = 60 * 60 * 1000;
/** Failures older than this no longer count. */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;
/**
 * How long a spent refresh token is still answered with its successor instead of being taken for a stolen copy: two
 * tabs refreshing at once, or a retry after a lost or failed answer, present the same token within seconds.
 */
export const REFRESH_GRACE_MS = 30_000;
/** How many rotations a token answered within the grace period may be behind the family's newest. */
const GRACE_CHAIN = 5;
/** How long an MFA challenge issued after a correct password can be answered, and how many wrong codes it takes. */
export const MFA_CHALLENGE_MS = 5 * 60 * 1000;
const MFA_CHALLENGE_ATTEMPTS = 5;

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

export type RotateResult =
  /** `replayed`: the token was spent moments ago and this is its successor again (see REFRESH_GRACE_MS). */
  | { ok: true; sessionId: string; refreshSecret: string; replayed?: boolean }
  | { ok: false; reason: 'invalid' | 'reused' | 'expired' };

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

/**
 * One user's sessions, refresh-token families, failed-login counter and pending MFA challenges. A Durable Object per
 * user serialises everything that must not race: rotating a refresh token and detecting its reuse, counting failures,
 * spending an MFA challenge. Keyed by `idFromName(userId)`.
 *
 * A session is one refresh-token family: each refresh spends the current token and issues the next. Presenting a
 * spent token means a copy is in someone else's hands, so the whole family is revoked.
 */
export class UserSessions extends DurableObject<IdentityEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: IdentityEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.createSchema();
  }

  /** When the account is locked, until when (epoch ms); null when a sign-in may be tried. */
  lockedUntil(): number | null {
    const row = this.sql.exec<{ locked_until: number | null }>('SELECT locked_until FROM lockout').toArray()[0];
    const until = row?.locked_until ?? null;
    return until !== null && until > Date.now() ? until : null;
  }

  /**
   * Counts a failed sign-in (wrong password or MFA code). From the fifth failure on, each locks the account for
   * twice as long as the one before, from 30 seconds up to an hour. Returns the lock's end, if any.
   */
  recordFailure(): number | null {
    const now = Date.now();
    const row = this.sql
      .exec<{ failures: number; last_failure_at: number }>('SELECT failures, last_failure_at FROM lockout')
      .toArray()[0];
    const failures = row && now - row.last_failure_at < FAILURE_MEMORY_MS ? row.failures + 1 : 1;
    const lockedUntil =
      failures >= LOCKOUT_THRESHOLD
        ? now + Math.min(LOCKOUT_BASE_MS * 2 ** (failures - LOCKOUT_THRESHOLD), LOCKOUT_MAX_MS)
        : null;
    this.sql.exec(
      `INSERT INTO lockout (id, failures, last_failure_at, locked_until) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
         locked_until = excluded.locked_until`,
      failures,
      now,
      lockedUntil,
    );
    return lockedUntil;
  }

  /** Clears the failure count after a successful sign-in. */
  clearFailures(): void {
    this.sql.exec('DELETE FROM lockout');
  }

  /**
   * Starts a session and returns its id and first refresh secret; a success also clears the failure count.
   * `knownDevice` says whether a session from the same user agent exists, so that only a new device triggers a
   * sign-in notice.
   */
  async createSession(
    origin: SessionOrigin,
  ): Promise<{ sessionId: string; refreshSecret: string; knownDevice: boolean }> {
    const now = Date.now();
    const knownDevice =
      this.sql
        .exec('SELECT 1 FROM sessions WHERE user_agent IS ? LIMIT 1', origin.userAgent?.slice(0, 512) ?? null)
        .toArray().length > 0;
    const sessionId = `ses_${randomSecret(12)}`;
    const refreshSecret = randomSecret(32);
    const hash = await sha256Hex(refreshSecret);
    this.sql.exec(
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
    this.sql.exec('INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)', hash, sessionId, now);
    this.clearFailures();
    await this.scheduleCleanup();
    return { sessionId, refreshSecret, knownDevice };
  }

  /**
   * Spends a refresh secret and issues the next one of its family. The successor is derived from the spent secret
   * (HMAC under a key only this Worker holds), so the raw successor is never stored: within REFRESH_GRACE_MS of its
   * spending, the same spent secret is answered with the same successor again (or the newest of a few rotations in
   * that window), as Auth0's and Supabase's reuse interval do. A secret spent longer ago revokes the family: either
   * the client retried with a stale token or someone else holds a copy, and only revoking tells the second from the
   * first.
   */
  async rotate(refreshSecret: string, origin: Pick<SessionOrigin, 'ip' | 'userAgent'>): Promise<RotateResult> {
    const now = Date.now();
    const hash = await sha256Hex(refreshSecret);
    const token = this.refreshToken(hash);
    if (!token) return { ok: false, reason: 'invalid' };
    const session = this.liveSession(token.session_id, now);
    if (token.spent_at !== null) {
      if (session && now - token.spent_at <= REFRESH_GRACE_MS) {
        const replay = await this.successorWithinGrace(refreshSecret, session.id, now);
        if (replay) return { ok: true, sessionId: session.id, refreshSecret: replay, replayed: true };
      }
      if (session) this.revokeRow(session.id, 'refresh_token_reused', now);
      return { ok: false, reason: 'reused' };
    }
    if (!session) return { ok: false, reason: 'expired' };
    const next = await this.successorOf(refreshSecret);
    this.sql.exec('UPDATE refresh_tokens SET spent_at = ? WHERE hash = ?', now, hash);
    this.sql.exec(
      'INSERT INTO refresh_tokens (hash, session_id, created_at) VALUES (?, ?, ?)',
      await sha256Hex(next),
      session.id,
      now,
    );
    this.sql.exec(
      'UPDATE sessions SET last_used_at = ?, idle_expires_at = ?, ip = coalesce(?, ip), user_agent = coalesce(?, user_agent) WHERE id = ?',
      now,
      Math.min(now + SESSION_IDLE_MS, session.expires_at),
      origin.ip,
      origin.userAgent?.slice(0, 512) ?? null,
      session.id,
    );
    return { ok: true, sessionId: session.id, refreshSecret: next };
  }

  private refreshToken(hash: string) {
    return this.sql
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
  private async successorWithinGrace(secret: string, sessionId: string, now: number): Promise<string | null> {
    let current = secret;
    for (let i = 0; i < GRACE_CHAIN; i++) {
      const next = await this.successorOf(current);
      const row = this.refreshToken(await sha256Hex(next));
      if (!row || row.session_id !== sessionId) return null;
      if (row.spent_at === null) return next;
      if (now - row.spent_at > REFRESH_GRACE_MS) return null;
      current = next;
    }
    return null;
  }

  private successorKey: Promise<CryptoKey> | undefined;

  /** The refresh secret that follows `secret`: HMAC-SHA-256 under a key derived from KEY_ENCRYPTION_KEY. */
  private async successorOf(secret: string): Promise<string> {
    this.successorKey ??= hmacKey(this.env.KEY_ENCRYPTION_KEY, 'onasis/refresh-successor');
    const mac = await crypto.subtle.sign('HMAC', await this.successorKey, new TextEncoder().encode(secret));
    return base64url.encode(new Uint8Array(mac));
  }

  /** Whether `sessionId` is live: the gateway's check that an access token's session was not revoked. */
  isActive(sessionId: string): boolean {
    return this.liveSession(sessionId, Date.now()) !== null;
  }

  /** The live sessions, newest first. */
  list(): SessionView[] {
    const now = Date.now();
    return this.sql
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

  /** Revokes one session; false when there was no live session with that id. */
  revoke(sessionId: string, reason: string): boolean {
    const now = Date.now();
    if (!this.liveSession(sessionId, now)) return false;
    this.revokeRow(sessionId, reason, now);
    return true;
  }

  /** Revokes every live session (except `keep`, when given); returns how many. */
  revokeAll(reason: string, keep?: string): number {
    const now = Date.now();
    const cursor = this.sql.exec(
      'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE revoked_at IS NULL AND id != ?',
      now,
      reason,
      keep ?? '',
    );
    this.sql.exec('DELETE FROM mfa_challenges');
    return cursor.rowsWritten;
  }

  /** Issues an MFA challenge token for a sign-in whose password was right; it is answered with `spendMfaChallenge`. */
  async createMfaChallenge(method: string): Promise<string> {
    const secret = randomSecret(32);
    this.sql.exec(
      'INSERT INTO mfa_challenges (hash, expires_at, method) VALUES (?, ?, ?)',
      await sha256Hex(secret),
      Date.now() + MFA_CHALLENGE_MS,
      method,
    );
    await this.scheduleCleanup();
    return secret;
  }

  /** The live MFA challenge of `secret`; null when unknown, expired or out of attempts. */
  async checkMfaChallenge(secret: string): Promise<{ method: string } | null> {
    const hash = await sha256Hex(secret);
    const row = this.sql
      .exec<{ method: string; expires_at: number; attempts: number }>(
        'SELECT method, expires_at, attempts FROM mfa_challenges WHERE hash = ?',
        hash,
      )
      .toArray()[0];
    if (!row || row.expires_at <= Date.now() || row.attempts >= MFA_CHALLENGE_ATTEMPTS) return null;
    return { method: row.method };
  }

  /**
   * Records the result of answering a challenge. A right answer spends it; `spent` is false when another request
   * spent it first, and that answer must not start a session. A wrong one uses an attempt and counts a failure
   * toward the lockout, whose end it returns.
   */
  async settleMfaChallenge(secret: string, right: boolean): Promise<{ spent: boolean; lockedUntil: number | null }> {
    const hash = await sha256Hex(secret);
    if (right) {
      const spent =
        this.sql.exec('DELETE FROM mfa_challenges WHERE hash = ? RETURNING hash', hash).toArray().length > 0;
      return { spent, lockedUntil: null };
    }
    this.sql.exec('UPDATE mfa_challenges SET attempts = attempts + 1 WHERE hash = ?', hash);
    return { spent: false, lockedUntil: this.recordFailure() };
  }

  /** Forgets everything: the account is being deleted. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object stays in memory and may be called again (a late request for the deleted user).
    this.createSchema();
  }

  private createSchema(): void {
    this.sql.exec(`
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
      CREATE TABLE IF NOT EXISTS lockout (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failures INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL,
        locked_until INTEGER
      );
      CREATE TABLE IF NOT EXISTS mfa_challenges (
        hash TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        method TEXT NOT NULL
      );
    `);
  }

  /** Drops sessions, tokens and challenges that can no longer be used. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const dead = `SELECT id FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= ? OR idle_expires_at <= ?`;
    this.sql.exec(`DELETE FROM refresh_tokens WHERE session_id IN (${dead})`, now, now);
    this.sql.exec(
      'DELETE FROM sessions WHERE revoked_at IS NOT NULL OR expires_at <= ? OR idle_expires_at <= ?',
      now,
      now,
    );
    this.sql.exec('DELETE FROM mfa_challenges WHERE expires_at <= ?', now);
    await this.scheduleCleanup();
  }

  private async scheduleCleanup(): Promise<void> {
    const next = this.sql
      .exec<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT min(expires_at, idle_expires_at) AS at FROM sessions WHERE revoked_at IS NULL
           UNION ALL SELECT expires_at FROM mfa_challenges)`,
      )
      .toArray()[0]?.at;
    // Revoked rows linger until the next expiry passes; a daily sweep bounds that.
    const at = Math.min(next ?? Number.POSITIVE_INFINITY, Date.now() + 24 * 3600 * 1000);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private liveSession(id: string, now: number): SessionRow | null {
    const row = this.sql.exec<SessionRow>('SELECT * FROM sessions WHERE id = ?', id).toArray()[0];
    if (!row || row.revoked_at !== null || row.expires_at <= now || row.idle_expires_at <= now) return null;
    return row;
  }

  private revokeRow(id: string, reason: string, now: number): void {
    this.sql.exec('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ?', now, reason, id);
  }
}
