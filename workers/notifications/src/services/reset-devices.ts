import { and, eq, inArray } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { deliveries, phoneNumbers, pushTargets } from '../db/schema.js';
import { ERASE_IF_SECURITY } from './deliveries.js';

/**
 * Forgets the devices set up on an account before its address's owner claimed it: push targets, the SMS number with
 * any pending verification code, and the SMS and push deliveries still waiting to go to them (whoever pre-registered
 * the account must get none of the owner's messages). Safe to repeat: a second run finds nothing.
 */
export async function resetDevices(env: NotificationsEnv, userId: string) {
  const db = dbOf(env.DB);
  const at = new Date().toISOString();
  const [targets, phones, pending] = await db.batch([
    db.delete(pushTargets).where(eq(pushTargets.userId, userId)),
    db.delete(phoneNumbers).where(eq(phoneNumbers.userId, userId)),
    db
      .update(deliveries)
      .set({
        status: 'failed',
        error: 'the account was claimed: its devices were reset',
        leaseUntil: null,
        updatedAt: at,
        ...ERASE_IF_SECURITY,
      })
      .where(
        and(
          eq(deliveries.recipient, userId),
          inArray(deliveries.channel, ['sms', 'push']),
          eq(deliveries.status, 'queued'),
        ),
      ),
  ]);
  return {
    pushTargets: targets.meta.changes ?? 0,
    phoneNumbers: phones.meta.changes ?? 0,
    pendingDeliveries: pending.meta.changes ?? 0,
  };
}
