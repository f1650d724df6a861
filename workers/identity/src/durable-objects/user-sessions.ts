import { DurableObject } from 'cloudflare:workers';
import { sha256Hex } from '../services/crypto.js';
import {
  dropMfaChallenges,
  insertMfaChallenge,
  liveMfaChallenge,
  spendMfaChallenge,
  useMfaAttempt,
} from './mfa-challenges.js';
import { type RotateResult, rotateRefreshToken, successorKeyOf, successorOf } from './refresh-rotation.js';
import { nextCleanupAt, sweepSessions } from './session-cleanup.js';
import {
  type AttemptSource,
  clearThrottles,
  countReauthFailure,
  countSourceFailure,
  lockEnd,
  rememberDevice,
} from './session-lockout.js';
import { createSessionSchema } from './session-schema.js';
import {
  insertSession,
  listSessions,
  liveSession,
  revokeAllRows,
  revokeRow,
  type SessionOrigin,
  type SessionView,
} from './session-store.js';

// The RPC surface's types and constants, importable from here as before the split.
export { MFA_CHALLENGE_MS } from './mfa-challenges.js';
export { REFRESH_GRACE_MS, type RotateResult } from './refresh-rotation.js';
export {
  ACCOUNT_MAX_MS,
  ACCOUNT_THRESHOLD,
  type AttemptSource,
  DEVICE_FAILURE_LIMIT,
  LOCKOUT_BASE_MS,
  LOCKOUT_MAX_MS,
  LOCKOUT_THRESHOLD,
  TRUSTED_DEVICE_MS,
} from './session-lockout.js';
export { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type SessionOrigin, type SessionView } from './session-store.js';

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
    createSessionSchema(this.sql);
  }

  /**
   * Until when (epoch ms) an attempt from `source` must wait; null when it may be tried. A sign-in waits for its own
   * network's delay and for the account-wide one; a trusted device (one that signed in here within 30 days and has
   * not failed DEVICE_FAILURE_LIMIT times since) waits for neither, so a stranger cannot keep the owner out. Without
   * a source: the re-authentication lock.
   */
  async lockedUntil(source?: AttemptSource): Promise<number | null> {
    return lockEnd(this.sql, source, Date.now());
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
      countReauthFailure(this.sql, now);
      return this.lockedUntil();
    }
    await countSourceFailure(this.sql, source, now);
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
    await clearThrottles(this.sql, source);
  }

  /**
   * Marks the device of a successful sign-in as trusted for TRUSTED_DEVICE_MS: the device cookie it presented, when
   * that one is trusted here already, or a new one. Returns the cookie's value.
   */
  async trustDevice(presented?: string | null): Promise<string> {
    const secret = await rememberDevice(this.sql, presented, Date.now());
    await this.scheduleCleanup();
    return secret;
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
    const created = await insertSession(this.sql, origin, Date.now());
    await this.scheduleCleanup();
    return created;
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
    return rotateRefreshToken(this.sql, (secret) => this.successorOf(secret), refreshSecret, origin, Date.now());
  }

  private successorKey: Promise<CryptoKey> | undefined;

  /** The refresh secret that follows `secret`: HMAC-SHA-256 under a key derived from KEY_ENCRYPTION_KEY. */
  private successorOf(secret: string): Promise<string> {
    this.successorKey ??= successorKeyOf(this.env.KEY_ENCRYPTION_KEY);
    return successorOf(this.successorKey, secret);
  }

  /** Whether `sessionId` is live: the gateway's check that an access token's session was not revoked. */
  isActive(sessionId: string): boolean {
    return liveSession(this.sql, sessionId, Date.now()) !== null;
  }

  /** The live sessions, newest first. */
  list(): SessionView[] {
    return listSessions(this.sql, Date.now());
  }

  /** Revokes one session; false when there was no live session with that id. */
  revoke(sessionId: string, reason: string): boolean {
    const now = Date.now();
    if (!liveSession(this.sql, sessionId, now)) return false;
    revokeRow(this.sql, sessionId, reason, now);
    return true;
  }

  /** Revokes every live session (except `keep`, when given); returns how many. */
  revokeAll(reason: string, keep?: string): number {
    const cursor = revokeAllRows(this.sql, reason, keep, Date.now());
    dropMfaChallenges(this.sql);
    return cursor.rowsWritten;
  }

  /** Issues an MFA challenge token for a sign-in whose password was right; it is answered with `spendMfaChallenge`. */
  async createMfaChallenge(method: string): Promise<string> {
    const secret = await insertMfaChallenge(this.sql, method);
    await this.scheduleCleanup();
    return secret;
  }

  /** The live MFA challenge of `secret`; null when unknown, expired or out of attempts. */
  async checkMfaChallenge(secret: string): Promise<{ method: string } | null> {
    return liveMfaChallenge(this.sql, secret);
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
    if (right) return { spent: spendMfaChallenge(this.sql, hash), lockedUntil: null };
    useMfaAttempt(this.sql, hash);
    return { spent: false, lockedUntil: await this.recordFailure(source) };
  }

  /** Forgets everything: the account is being deleted. */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // The object stays in memory and may be called again (a late request for the deleted user).
    createSessionSchema(this.sql);
  }

  /** Drops sessions, tokens and challenges that can no longer be used. */
  override async alarm(): Promise<void> {
    const left = sweepSessions(this.sql, Date.now());
    // An object with nothing left (the counter of a mistyped or unknown email) stops waking up.
    if (left === 0) return;
    await this.scheduleCleanup();
  }

  private async scheduleCleanup(): Promise<void> {
    const at = nextCleanupAt(this.sql, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
