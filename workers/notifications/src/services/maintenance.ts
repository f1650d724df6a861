import type { DeliveryRow } from './deliveries.js';
import { isoNow } from './ids.js';
import { enqueueDeliveries } from './queue-batches.js';

/**
 * Queued deliveries untouched this long (past their retry time, if any) lost their queue message: a send that crashed
 * before enqueueing.
 */
export const STRANDED_AFTER_MS = 5 * 60_000;
/** A row whose message never reached the queue (no `enqueued_at`) is stranded once its request is this old. */
export const UNSENT_AFTER_MS = 60_000;
/** Rows re-queued per page; pages follow each other until none is left or the time budget is spent. */
export const REQUEUE_PAGE = 100;
/** Wall-clock time one run may spend re-queuing, well inside the jobs Worker's lease of a run. */
export const REQUEUE_BUDGET_MS = 20_000;
const RETENTION_MS = 90 * 24 * 3600_000;
const THROTTLE_RETENTION_MS = 24 * 3600_000;

/**
 * Re-queues every stranded delivery, page by page, then purges old delivery rows, read inbox items and SMS
 * throttle rows. Safe to repeat: a re-queued delivery whose original message does turn up is sent once, since only
 * one message wins its claim. The touch of `updated_at` (and `enqueued_at` once queued) keeps the next page, and the
 * next run, from taking the same row again.
 */
export async function runMaintenance(env: NotificationsEnv, now = Date.now(), budgetMs = REQUEUE_BUDGET_MS) {
  const db = env.DB;
  const deadline = Date.now() + budgetMs;
  let requeued = 0;
  let pages = 0;
  for (;;) {
    const { results } = await db
      .prepare(
        // A past retry time is cleared with the touch: otherwise it would still read as stranded to the next page.
        `UPDATE deliveries SET updated_at = ?, lease_until = NULL WHERE id IN (
           SELECT id FROM deliveries WHERE status = 'queued'
             AND (coalesce(lease_until, updated_at, created_at) < ?
               OR (enqueued_at IS NULL AND lease_until IS NULL AND created_at < ?))
           LIMIT ?
         ) RETURNING id`,
      )
      .bind(isoNow(now), isoNow(now - STRANDED_AFTER_MS), isoNow(now - UNSENT_AFTER_MS), REQUEUE_PAGE)
      .all<Pick<DeliveryRow, 'id'>>();
    if (results.length > 0) {
      await enqueueDeliveries(
        db,
        env.NOTIFICATIONS_QUEUE,
        results.map((r) => r.id),
        isoNow(now),
      );
    }
    requeued += results.length;
    pages += 1;
    if (results.length < REQUEUE_PAGE || Date.now() >= deadline) break;
  }
  const cutoff = isoNow(now - RETENTION_MS);
  const [purgedDeliveries, purgedInbox] = await db.batch([
    db.prepare("DELETE FROM deliveries WHERE created_at < ? AND status NOT IN ('queued', 'sending')").bind(cutoff),
    db.prepare('DELETE FROM inbox_items WHERE read_at IS NOT NULL AND created_at < ?').bind(cutoff),
    db.prepare('DELETE FROM sms_throttle WHERE sent_at < ?').bind(isoNow(now - THROTTLE_RETENTION_MS)),
  ]);
  return {
    requeued,
    pages,
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
    db.prepare('DELETE FROM sms_throttle WHERE key = ?').bind(`user:${userId}`),
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
