import { randomSecret, sha256Hex } from '../services/crypto.js';

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
export const FAILURE_MEMORY_MS = 24 * 3600 * 1000;

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

/** Until when (epoch ms) an attempt from `source` must wait; null when it may be tried (see `UserSessions.lockedUntil`). */
export async function lockEnd(sql: SqlStorage, source: AttemptSource | undefined, now: number): Promise<number | null> {
  let until: number;
  if (source) {
    if (await isTrustedDevice(sql, source.device, now)) return null;
    until = Math.max(lockOf(sql, `net:${source.network}`), lockOf(sql, 'account'));
  } else until = lockOf(sql, 'reauth');
  return until > now ? until : null;
}

/** Counts a failed re-authentication (no source): from the fifth failure 30 s doubling up to an hour. */
export function countReauthFailure(sql: SqlStorage, now: number): void {
  count(sql, 'reauth', now, LOCKOUT_THRESHOLD, LOCKOUT_BASE_MS, REAUTH_MAX_MS);
}

/** Counts a failure from `source` toward its network, the account and its device cookie. */
export async function countSourceFailure(sql: SqlStorage, source: AttemptSource, now: number): Promise<void> {
  count(sql, `net:${source.network}`, now, LOCKOUT_THRESHOLD, LOCKOUT_BASE_MS, LOCKOUT_MAX_MS);
  count(sql, 'account', now, ACCOUNT_THRESHOLD, 5_000, ACCOUNT_MAX_MS);
  if (source.device) count(sql, `dev:${await sha256Hex(source.device)}`, now, DEVICE_FAILURE_LIMIT, 0, 0);
}

/** Clears failure counts after a success (see `UserSessions.clearFailures`). */
export async function clearThrottles(sql: SqlStorage, source?: AttemptSource): Promise<void> {
  if (!source) {
    sql.exec('DELETE FROM throttles');
    return;
  }
  // A trusted device got past its network's lock without clearing it: a stranger on that network waits on.
  const exempt = await isTrustedDevice(sql, source.device, Date.now());
  sql.exec("DELETE FROM throttles WHERE scope IN (?, 'reauth')", exempt ? 'reauth' : `net:${source.network}`);
  if (source.device) sql.exec('DELETE FROM throttles WHERE scope = ?', `dev:${await sha256Hex(source.device)}`);
}

/** Stores the device cookie `presented` (when already trusted here) or a new one as trusted; returns its value. */
export async function rememberDevice(
  sql: SqlStorage,
  presented: string | null | undefined,
  now: number,
): Promise<string> {
  const secret = presented && (await isTrustedDevice(sql, presented, now)) ? presented : randomSecret(32);
  sql.exec(
    `INSERT INTO trusted_devices (hash, trusted_at) VALUES (?, ?)
     ON CONFLICT (hash) DO UPDATE SET trusted_at = excluded.trusted_at`,
    await sha256Hex(secret),
    now,
  );
  return secret;
}

async function isTrustedDevice(sql: SqlStorage, device: string | null | undefined, now: number): Promise<boolean> {
  if (!device) return false;
  const hash = await sha256Hex(device);
  const row = sql
    .exec<{ trusted_at: number }>('SELECT trusted_at FROM trusted_devices WHERE hash = ?', hash)
    .toArray()[0];
  if (!row || now - row.trusted_at > TRUSTED_DEVICE_MS) return false;
  const failures = sql
    .exec<{ failures: number; last_failure_at: number }>(
      'SELECT failures, last_failure_at FROM throttles WHERE scope = ?',
      `dev:${hash}`,
    )
    .toArray()[0];
  return !failures || now - failures.last_failure_at >= FAILURE_MEMORY_MS || failures.failures < DEVICE_FAILURE_LIMIT;
}

function lockOf(sql: SqlStorage, scope: string): number {
  const row = sql
    .exec<{ locked_until: number | null }>('SELECT locked_until FROM throttles WHERE scope = ?', scope)
    .toArray()[0];
  return row?.locked_until ?? 0;
}

/** One more failure in `scope`: from the `threshold`th on, a wait of `base` doubling per failure up to `max`. */
function count(sql: SqlStorage, scope: string, now: number, threshold: number, base: number, max: number): void {
  const row = sql
    .exec<{ failures: number; last_failure_at: number }>(
      'SELECT failures, last_failure_at FROM throttles WHERE scope = ?',
      scope,
    )
    .toArray()[0];
  const failures = row && now - row.last_failure_at < FAILURE_MEMORY_MS ? row.failures + 1 : 1;
  const lockedUntil = failures >= threshold && max > 0 ? now + Math.min(base * 2 ** (failures - threshold), max) : null;
  sql.exec(
    `INSERT INTO throttles (scope, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
       locked_until = excluded.locked_until`,
    scope,
    failures,
    now,
    lockedUntil,
  );
}
