import { FORGET_HEADER, type ForgetList, formatForget } from '@onasis/contracts';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { sessionsOf } from './sessions.js';

/** Session objects called at once when many users lose permissions together: bounded, not one burst per holder. */
const REVOKE_CONCURRENCY = 20;
/**
 * Most users named on one answer's forget header. Beyond it the other gateway isolates' 30-second cache bound
 * applies anyway, and a header of thousands of ids would outgrow what proxies accept.
 */
export const MAX_FORGET_USERS = 100;

/**
 * Revokes every session of each of `userIds` (their permissions shrank, they were disabled, or their account was
 * claimed), so that their access tokens stop at the gateway within its 30-second session cache. Returns how many
 * sessions ended. A failure leaves the rest unrevoked and throws: the tokens still expire within 15 minutes.
 */
export async function revokeSessionsOf(env: IdentityEnv, userIds: readonly string[], reason: string): Promise<number> {
  let revoked = 0;
  for (let i = 0; i < userIds.length; i += REVOKE_CONCURRENCY) {
    const counts = await Promise.all(
      userIds.slice(i, i + REVOKE_CONCURRENCY).map((id) => sessionsOf(env, id).revokeAll(reason)),
    );
    revoked += counts.reduce((a, b) => a + b, 0);
  }
  return revoked;
}

/**
 * Names credentials on the answer's `FORGET_HEADER`, for the gateway isolate that forwarded the request to drop
 * them from its caches at once. One call per answer: a second replaces the first.
 */
export function forget(c: Context<AppEnv>, list: ForgetList): void {
  const value = formatForget({ ...list, users: list.users?.slice(0, MAX_FORGET_USERS) });
  if (value) c.header(FORGET_HEADER, value);
}
