import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import type { AttemptSource, SessionOrigin } from '../durable-objects/user-sessions.js';
import { networkOf } from './device.js';
import { hashPassword } from './password.js';
import { deviceCookie, setDeviceCookie } from './session-cookies.js';
import type { sessionsOf } from './sessions.js';

/** Where a request comes from, for its session and the sign-in notice. */
export function originOf(c: Context<AppEnv>, method: string): SessionOrigin {
  return { ip: c.get('clientIp') ?? null, userAgent: c.req.header('user-agent') ?? null, method };
}

// Verified against when the email is unknown, so that an unknown address costs the same PBKDF2 work as a wrong
// password and timing does not tell them apart.
// The hash is kept once made, not the promise of it: a request awaiting a promise another request created is
// cancelled by workerd when that request ends first.
let decoyHash: { pepper: string; hash: string } | undefined;
export async function decoy(pepper: string): Promise<string> {
  if (decoyHash?.pepper === pepper) return decoyHash.hash;
  const hash = await hashPassword(`decoy-${crypto.randomUUID()}`, pepper);
  decoyHash = { pepper, hash };
  return hash;
}

/** Where a sign-in attempt comes from, for lockout: the client's network and its device cookie. */
export function attemptSourceOf(c: Context<AppEnv>): AttemptSource {
  return { network: networkOf(c.get('clientIp')), device: deviceCookie(c) ?? null };
}

/**
 * After a successful sign-in: forgives the failures of this network and device, and (re)sets the device cookie that
 * exempts this device from locks that strangers' failures cause.
 */
export async function trustThisDevice(
  c: Context<AppEnv>,
  sessions: ReturnType<typeof sessionsOf>,
  source: AttemptSource,
): Promise<void> {
  const [, device] = await Promise.all([sessions.clearFailures(source), sessions.trustDevice(source.device)]);
  setDeviceCookie(c, device);
}

/** The 429 of a locked account, with Retry-After. */
export function lockedError(until: number): AppError {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new AppError('ACCOUNT_LOCKED', `Too many failed attempts. Try again in ${seconds} seconds.`, {
    headers: { 'retry-after': String(seconds) },
  });
}
