import type { DeliveryRow } from './deliveries.js';
import { isoNow } from './ids.js';

/**
 * Queued deliveries untouched this long (past their retry time, if any) lost their queue message: a send that crashed
 * before enqueueing.
 */
export const STRANDED_AFTER_MS = 5 * 60_000;
const RETENTION_MS = 90 * 24 * 3600_000;

/**
 * Re-queues stranded deliveries and purges old delivery rows and read inbox items. Safe to repeat: a re-queued
 * delivery whose original message does turn up is sent once, since only one message wins its claim. The touch of
 * `updated_at` keeps the next run from re-queuing it again straight away.
 */
export async function runMaintenance(env: NotificationsEnv, now = Date.now()) {
  const db = env.DB;
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET updated_at = ? WHERE id IN (
         SELECT id FROM deliveries WHERE status = 'queued' AND coalesce(lease_until, updated_at, created_at) < ? LIMIT 100
       ) RETURNING id`,
    )
    .bind(isoNow(now), isoNow(now - STRANDED_AFTER_MS))
    .all<Pick<DeliveryRow, 'id'>>();
  if (results.length > 0) {
    await env.NOTIFICATIONS_QUEUE.sendBatch(
      results.map((r) => ({ body: { kind: 'delivery', deliveryId: r.id }, contentType: 'json' as const })),
    );
  }
  const cutoff = isoNow(now - RETENTION_MS);
  const [purgedDeliveries, purgedInbox] = await db.batch([
    db.prepare("DELETE FROM deliveries WHERE created_at < ? AND status NOT IN ('queued', 'sending')").bind(cutoff),
    db.prepare('DELETE FROM inbox_items WHERE read_at IS NOT NULL AND created_at < ?').bind(cutoff),
  ]);
  return {
    requeued: results.length,
    purgedDeliveries: purgedDeliveries?.meta.changes ?? 0,
    purgedInboxItems: purgedInbox?.meta.changes ?? 0,
  };
}

/**
 * Erases what this Worker holds about a user: preferences, inbox, push targets, phone number, and their address and
 * rendered messages in the delivery log (the rows stay, anonymised, as a record that something was sent). Repeating
 * it finds nothing more to erase.
 */
export async function eraseUser(env: NotificationsEnv, userId: string) {
  const db = env.DB;
  const results = await db.batch([
    db.prepare('DELETE FROM preferences WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM inbox_items WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM push_targets WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM phone_numbers WHERE user_id = ?').bind(userId),
    db
      .prepare(
        `UPDATE deliveries SET address = NULL, data = NULL, subject = NULL, body_text = NULL, body_html = NULL,
           headers = NULL, status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END,
           error = CASE WHEN status IN ('queued', 'sending') THEN 'recipient erased' ELSE error END
         WHERE recipient = ?`,
      )
      .bind(userId),
  ]);
  return { erased: results.reduce((n, r) => n + (r.meta.changes ?? 0), 0) };
}
