import { type RpcResult, SESSION_STATUS_CACHE_SECONDS } from '@onasis/contracts';
import { configOf } from '../config.js';
import { withTimeout } from './bindings.js';
import { IdentityUnavailableError } from './jwks.js';

const CACHE_MS = SESSION_STATUS_CACHE_SECONDS * 1000;
/** Bounds the memory an isolate spends on answers; the oldest answer makes room for a new one. */
const SESSION_CACHE_MAX_ENTRIES = 10_000;

interface Answer {
  userId: string;
  active: boolean;
  until: number;
}

const answers = new Map<string, Answer>();

function remember(sessionId: string, userId: string, active: boolean, now: number): void {
  // Re-inserting moves the entry to the end, so that eviction in insertion order drops the oldest answer.
  answers.delete(sessionId);
  if (answers.size >= SESSION_CACHE_MAX_ENTRIES) {
    const oldest = answers.keys().next();
    if (!oldest.done) answers.delete(oldest.value);
  }
  answers.set(sessionId, { userId, active, until: now + CACHE_MS });
}

async function ask(env: GatewayEnv, userId: string, sessionId: string, askedAt: number): Promise<boolean> {
  let active: boolean;
  try {
    const status = await withTimeout<RpcResult<{ active: boolean }>>(
      env.IDENTITY.sessionStatus(userId, sessionId),
      configOf(env).upstreamTimeoutMs,
    );
    // A refused question (an id identity cannot read) is an inactive session, not an outage.
    active = status.ok && status.data.active === true;
  } catch (err) {
    // Not remembered: the next request asks again rather than inheriting an outage.
    throw new IdentityUnavailableError('the session status could not be checked', err);
  }
  // Counted from when the question was asked, so that the answer never outlives the bound, however slow the call.
  remember(sessionId, userId, active, askedAt);
  return active;
}

/**
 * Whether the session of a verified access token is still live. Identity revokes every session of a user it
 * disables or deletes, so this one question covers logout, revocation, disabling and deletion. Answers, yes and no,
 * are kept for SESSION_STATUS_CACHE_SECONDS, which bounds how long a revoked session keeps working here.
 *
 * Requests that miss at the same time each ask, and the answer is remembered when it lands: an in-flight call is
 * never shared. workerd cancels a request that awaits a promise another request created once that request has
 * ended (its client hung up), so one shared call would fail every request waiting on it with a 500.
 */
export function sessionIsActive(
  env: GatewayEnv,
  userId: string,
  sessionId: string,
  now: number,
): boolean | Promise<boolean> {
  // A cached answer is returned as is, not wrapped in a promise: this is the path nearly every request takes.
  const known = answers.get(sessionId);
  if (known !== undefined && known.until > now && known.userId === userId) return known.active;
  return ask(env, userId, sessionId, now);
}

/** Forgets the answer for one session: this isolate just forwarded its successful revocation. */
export function forgetSession(sessionId: string): void {
  answers.delete(sessionId);
}

/** Forgets the answers for every session of a user whose sessions were just revoked all at once. */
export function forgetUser(userId: string): void {
  for (const [sessionId, answer] of answers) if (answer.userId === userId) answers.delete(sessionId);
}

/** Forgets every cached answer (tests; a fresh isolate starts this way). */
export function resetSessionStatusCache(): void {
  answers.clear();
}
