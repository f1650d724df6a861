import { eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { deliveries, inboxItems, phoneNumbers, preferences, pushTargets, smsThrottle } from '../db/schema.js';

// Raw SQL: what an erased delivery becomes depends on its own status; drizzle has no CASE expression.
const UNSENT = sql`${deliveries.status} IN ('queued', 'sending')`;

/**
 * Erases what this Worker holds about a user: preferences, inbox, push targets, phone number, and their address and
 * rendered messages in the delivery log (the rows stay, anonymised, as a record that something was sent). Repeating
 * it finds nothing more to erase.
 */
export async function eraseUser(env: NotificationsEnv, userId: string) {
  const db = dbOf(env.DB);
  const results = await db.batch([
    db.delete(preferences).where(eq(preferences.userId, userId)),
    db.delete(inboxItems).where(eq(inboxItems.userId, userId)),
    db.delete(pushTargets).where(eq(pushTargets.userId, userId)),
    db.delete(phoneNumbers).where(eq(phoneNumbers.userId, userId)),
    db.delete(smsThrottle).where(eq(smsThrottle.key, `user:${userId}`)),
    db
      .update(deliveries)
      .set({
        address: null,
        data: null,
        subject: null,
        bodyText: null,
        bodyHtml: null,
        headers: null,
        status: sql`CASE WHEN ${UNSENT} THEN 'failed' ELSE ${deliveries.status} END`,
        error: sql`CASE WHEN ${UNSENT} THEN 'recipient erased' ELSE ${deliveries.error} END`,
      })
      .where(eq(deliveries.recipient, userId)),
  ]);
  return { erased: results.reduce((n, r) => n + (r.meta.changes ?? 0), 0) };
}
