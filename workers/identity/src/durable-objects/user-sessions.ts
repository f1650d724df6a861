import { DurableObject } from 'cloudflare:workers';
import { base64url } from 'jose';
import { hmacKey, randomSecret, sha256Hex } from '../services/crypto.js';
import { describeDevice } from '../services/device.js';

/** Refresh-token family lifetime: absolute from sign-in, and idle since the last refresh. */
export const SESSION_ABSOLUTE_MS = 30 * 24 * 3600 * 1000;
export const SESSION_IDLE_MS = 7 * 24 * 3600 * 1000;
/**
 * Failed attempts from one source network (IPv4 /24, IPv6 /64) on this account before it must wait, the first wait
 * and the longest: progressive delays, never a long hard lock (OWASP ASVS 5.0 V6.3, Auth0's brute-force protection).
 */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_BASE_MS = 30_000;
export const LOCKOUT_MAX_MS = 15 * 60 * 1000;
/**
 * Failures from all networks together before every untrusted device waits too (a guesser spread over many networks),
 * and that wait's cap: at most about one guess a minute reaches the account, and its owner waits a minute at most.
 */
export const ACCOUNT_THRESHOLD = 20;
export const ACCOUNT_MAX_MS = 60_000;
/** Wrong passwords or codes from a signed-in session (re-authentication) before it waits, up to an hour. */
const REAUTH_MAX_MS = 60 * 60 * 1000;
/** Failures from a trusted device before it loses its exemption (a stolen device cookie buys few guesses). */
export const DEVICE_FAILURE_LIMIT = 10;
/** How long a device that signed in stays trusted. */
export const TRUSTED_DEVICE_MS = 30 * 24 * 3600 * 1000;
/** Failures older than this no longer count. */
const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

/**
 * Where a sign-in attempt comes from: the client's network and the device cookie it presented. Without a source, a
 * failure is a re-authentication failure of a signed-in session (a wrong current password or MFA code), which a
 * stranger cannot cause and which therefore keeps the stricter account-wide lock.
 */
export interface AttemptSource {
  /** The client network, from `networkOf(clientIp)`. */
  network: string;
  /** The raw secret of the device cookie, if one came. */
  device?: string | null;
}

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

  /**
   * Until when (epoch ms) an attempt from `source` must wait; null when it may be tried. A sign-in waits for its own
   * network's delay and for the account-wide one; a trusted device (one that signed in here within 30 days and has
   * not failed DEVICE_FAILURE_LIMIT times since) waits for neither, so a stranger cannot keep the owner out. Without
   * a source: the re-authentication lock.
   */
  async lockedUntil(source?: AttemptSource): Promise<number | null> {
    const now = Date.now();
    let until: number;
    if (source) {
      if (await this.trustedDevice(source.device, now)) return null;
      until = Math.max(this.lockOf(`net:${source.network}`), this.lockOf('account'));
    } else until = this.lockOf('reauth');
    return until > now ? until : null;
  }

  /**
   * Counts a failed attempt (wrong password or MFA code) and returns until when `source` must now wait, if it must.
   * From a source: toward its network (from the fifth failure, 30 s doubling up to 15 minutes), the account (from the
   * twentieth, up to a minute) and its device cookie. Without one (re-authentication, e.g. a wrong current password
   * on `PATCH /api/v1/users/me`): the re-authentication lock, from the fifth failure 30 s doubling up to an hour.
   */
  async recordFailure(source?: AttemptSource): Promise<number | null> {
    const now = Date.now();
    if (!source) {
      this.count('reauth', now, LOCKOUT_THRESHOLD, LOCKOUT_BASE_MS, REAUTH_MAX_MS);
      return this.lockedUntil();
    }
    this.count(`net:${source.network}`, now, LOCKOUT_THRESHOLD, LOCKOUT_BASE_MS, LOCKOUT_MAX_MS);
    this.count('account', now, ACCOUNT_THRESHOLD, 5_000, ACCOUNT_MAX_MS);
    if (source.device) this.count(`dev:${await sha256Hex(source.device)}`, now, DEVICE_FAILURE_LIMIT, 0, 0);
    await this.scheduleCleanup();
    return this.lockedUntil(source);
  }

  /**
   * Clears failure counts after a success: those of `source`'s network (unless a trusted device got past its lock)
   * and device (the account-wide count and other networks' stay: a stranger's guesses are not forgiven by the
   * owner's sign-in), or every count without a source
   * (a password reset proved control of the address).
   */
  async clearFailures(source?: AttemptSource): Promise<void> {
    if (!source) {
      this.sql.exec('DELETE FROM throttles');
      return;
    }
    // A trusted device got past its network's lock without clearing it: a stranger on that network waits on.
    const exempt = await this.trustedDevice(source.device, Date.now());
    this.sql.exec("DELETE FROM throttles WHERE scope IN (?, 'reauth')", exempt ? 'reauth' : `net:${source.network}`);
    if (source.device) this.sql.exec('DELETE FROM throttles WHERE scope = ?', `dev:${await sha256Hex(source.device)}`);
  }

  /**
   * Marks the device of a successful sign-in as trusted for TRUSTED_DEVICE_MS: the device cookie it presented, when
   * that one is trusted here already, or a new one. Returns the cookie's value.
   */
  async trustDevice(presented?: string | null): Promise<string> {
    const now = Date.now();
    const secret = presented && (await this.trustedDevice(presented, now)) ? presented : randomSecret(32);
    this.sql.exec(
      `INSERT INTO trusted_devices (hash, trusted_at) VALUES (?, ?)
       ON CONFLICT (hash) DO UPDATE SET trusted_at = excluded.trusted_at`,
      await sha256Hex(secret),
      now,
    );
    await this.scheduleCleanup();
    return secret;
  }

  private async trustedDevice(device: string | null | undefined, now: number): Promise<boolean> {
    if (!device) return false;
    const hash = await sha256Hex(device);
    const row = this.sql
      .exec<{ trusted_at: number }>('SELECT trusted_at FROM trusted_devices WHERE hash = ?', hash)
      .toArray()[0];
    if (!row || now - row.trusted_at > TRUSTED_DEVICE_MS) return false;
    const failures = this.sql
      .exec<{ failures: number; last_failure_at: number }>(
        'SELECT failures, last_failure_at FROM throttles WHERE scope = ?',
        `dev:${hash}`,
      )
      .toArray()[0];
    return !failures || now - failures.last_failure_at >= FAILURE_MEMORY_MS || failures.failures < DEVICE_FAILURE_LIMIT;
  }

  private lockOf(scope: string): number {
    const row = this.sql
      .exec<{ locked_until: number | null }>('SELECT locked_until FROM throttles WHERE scope = ?', scope)
      .toArray()[0];
    return row?.locked_until ?? 0;
  }

  /** One more failure in `scope`: from the `threshold`th on, a wait of `base` doubling per failure up to `max`. */
  private count(scope: string, now: number, threshold: number, base: number, max: number): void {
    const row = this.sql
      .exec<{ failures: number; last_failure_at: number }>(
        'SELECT failures, last_failure_at FROM throttles WHERE scope = ?',
        scope,
      )
      .toArray()[0];
    const failures = row && now - row.last_failure_at < FAILURE_MEMORY_MS ? row.failures + 1 : 1;
    const lockedUntil =
      failures >= threshold && max > 0 ? now + Math.min(base * 2 ** (failures - threshold), max) : null;
    this.sql.exec(
      `INSERT INTO throttles (scope, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
         locked_until = excluded.locked_until`,
      scope,
      failures,
      now,
      lockedUntil,
    );
  }

  /**
   * Starts a session and returns its id and first refresh secret. Failure counts are cleared by the caller, for the
   * source that succeeded (`clearFailures`).
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
  async settleMfaChallenge(
    secret: string,
    right: boolean,
    source?: AttemptSource,
  ): Promise<{ spent: boolean; lockedUntil: number | null }> {
    const hash = await sha256Hex(secret);
    if (right) {
      const spent =
        this.sql.exec('DELETE FROM mfa_challenges WHERE hash = ? RETURNING hash', hash).toArray().length > 0;
      return { spent, lockedUntil: null };
    }
    this.sql.exec('UPDATE mfa_challenges SET attempts = attempts + 1 WHERE hash = ?', hash);
    return { spent: false, lockedUntil: await this.recordFailure(source) };
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
    this.sql.exec('DELETE FROM throttles WHERE last_failure_at <= ?', now - FAILURE_MEMORY_MS);
    this.sql.exec('DELETE FROM trusted_devices WHERE trusted_at <= ?', now - TRUSTED_DEVICE_MS);
    // An object with nothing left (the counter of a mistyped or unknown email) stops waking up.
    const left = this.sql
      .exec<{ n: number }>(
        `SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM mfa_challenges)
           + (SELECT count(*) FROM throttles) + (SELECT count(*) FROM trusted_devices) AS n`,
      )
      .one().n;
    if (left === 0) return;
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
