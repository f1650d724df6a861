import { and, eq, inArray, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { deliveries, inboxItems, smsThrottle } from '../db/schema.js';
import { isoNow } from './iso-time.js';
import { enqueueDeliveries } from './queue-batches.js';

/**
 * Queued deliveries untouched this long (past their retry time, if any) lost their queue message: a send that crashed
 * before enqueueing.
 */
const STRANDED_AFTER_MS = 5 * 60_000;
/** A row whose message never reached the queue (no `enqueued_at`) is stranded once its request is this old. */
const UNSENT_AFTER_MS = 60_000;
/** Rows re-queued per page; pages follow each other until none is left or the time budget is spent. */
const REQUEUE_PAGE = 100;
/** Wall-clock time one run may spend re-queuing, well inside the jobs Worker's lease of a run. */
const REQUEUE_BUDGET_MS = 20_000;
const RETENTION_MS = 90 * 24 * 3600_000;
const THROTTLE_RETENTION_MS = 24 * 3600_000;

/**
 * Re-queues every stranded delivery, page by page, then purges old delivery rows, read inbox items and SMS
 * throttle rows. Safe to repeat: a re-queued delivery whose original message does turn up is sent once, since only
 * one message wins its claim. The touch of `updated_at` (and `enqueued_at` once queued) keeps the next page, and the
 * next run, from taking the same row again.
 */
export async function runMaintenance(env: NotificationsEnv, now = Date.now(), budgetMs = REQUEUE_BUDGET_MS) {
  const db = dbOf(env.DB);
  const deadline = Date.now() + budgetMs;
  let requeued = 0;
  let pages = 0;
  for (;;) {
    const stranded = db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.status, 'queued'),
          or(
            // Raw SQL: drizzle has no coalesce.
            sql`coalesce(${deliveries.leaseUntil}, ${deliveries.updatedAt}, ${deliveries.createdAt}) < ${isoNow(now - STRANDED_AFTER_MS)}`,
            and(
              isNull(deliveries.enqueuedAt),
              isNull(deliveries.leaseUntil),
              lt(deliveries.createdAt, isoNow(now - UNSENT_AFTER_MS)),
            ),
          ),
        ),
      )
      .limit(REQUEUE_PAGE);
    // A past retry time is cleared with the touch: otherwise it would still read as stranded to the next page.
    const results = await db
      .update(deliveries)
      .set({ updatedAt: isoNow(now), leaseUntil: null })
      .where(inArray(deliveries.id, stranded))
      .returning({ id: deliveries.id });
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
    db
      .delete(deliveries)
      .where(and(lt(deliveries.createdAt, cutoff), notInArray(deliveries.status, ['queued', 'sending']))),
    db.delete(inboxItems).where(and(isNotNull(inboxItems.readAt), lt(inboxItems.createdAt, cutoff))),
    db.delete(smsThrottle).where(lt(smsThrottle.sentAt, isoNow(now - THROTTLE_RETENTION_MS))),
  ]);
  return {
    requeued,
    pages,
    purgedDeliveries: purgedDeliveries.meta.changes ?? 0,
    purgedInboxItems: purgedInbox.meta.changes ?? 0,
  };
}
