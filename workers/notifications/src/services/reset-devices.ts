import { ERASE_IF_SECURITY } from './deliveries.js';

/**
 * Forgets the devices set up on an account before its address's owner claimed it: push targets, the SMS number with
 * any pending verification code, and the SMS and push deliveries still waiting to go to them (whoever pre-registered
 * the account must get none of the owner's messages). Safe to repeat: a second run finds nothing.
 */
export async function resetDevices(env: NotificationsEnv, userId: string) {
  const db = env.DB;
  const at = new Date().toISOString();
  const [targets, phones, pending] = await db.batch([
    db.prepare('DELETE FROM push_targets WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM phone_numbers WHERE user_id = ?').bind(userId),
    db
      .prepare(
        `UPDATE deliveries SET status = 'failed', error = 'the account was claimed: its devices were reset',
           lease_until = NULL, updated_at = ?, ${ERASE_IF_SECURITY}
         WHERE recipient = ? AND channel IN ('sms', 'push') AND status = 'queued'`,
      )
      .bind(at, userId),
  ]);
  return {
    pushTargets: targets?.meta.changes ?? 0,
    phoneNumbers: phones?.meta.changes ?? 0,
    pendingDeliveries: pending?.meta.changes ?? 0,
  };
}
