import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';
import { auditChainOf } from './audit.js';
import { pendingEntry } from './audit-entry.js';

/** Delays between tries of an audit append whose writer could not be reached, after the answer went out. */
const DEFERRED_TRIES_MS = [1000, 5000, 20_000];

/**
 * Sets a user's billing plan for the payments Worker (a subscription started, lapsed or ended). The plan reaches the
 * gateway's quota through new access tokens, so at the user's next refresh (at most one access-token lifetime), and
 * through API keys at once (their verification reads it). Answers false for an unknown user.
 *
 * Retries: setting the plan a user already has changes nothing and audits nothing, so payments may call it again
 * for every redelivered event. A change is audited as `user.plan-changed`; an append that fails is retried after the
 * answer (`defer`) with the same entry id, so it is never recorded twice.
 */
export async function setPlan(
  env: IdentityEnv,
  input: { userId: string; plan: string },
  defer: (work: Promise<unknown>) => void,
): Promise<{ plan: string; changed: boolean } | null> {
  const db = dbOf(env.DB);
  const before = await db.select({ plan: users.plan }).from(users).where(eq(users.id, input.userId)).get();
  if (!before) return null;
  if (before.plan === input.plan) return { plan: input.plan, changed: false };
  const [after] = await db
    .update(users)
    .set({ plan: input.plan, updatedAt: new Date().toISOString() })
    .where(eq(users.id, input.userId))
    .returning({ plan: users.plan });
  if (!after) return null;
  const pending = pendingEntry({
    action: 'user.plan-changed',
    actorId: null,
    targetType: 'user',
    targetId: input.userId,
    data: { before: { plan: before.plan }, after: { plan: after.plan }, by: 'payments' },
  });
  try {
    await auditChainOf(env).append(pending);
  } catch {
    defer(
      (async () => {
        for (const ms of DEFERRED_TRIES_MS) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          try {
            await auditChainOf(env).append(pending);
            return;
          } catch {}
        }
      })(),
    );
  }
  return { plan: after.plan, changed: true };
}
