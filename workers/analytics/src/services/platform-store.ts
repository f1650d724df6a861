import type { PlatformEvent } from '@onasis/contracts';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type PlatformEventRow, platformDaily, platformEvents } from '../db/schema.js';

/** Ten bound columns a row: nine rows keep a statement under D1's 100 parameters. */
const ROWS_PER_INSERT = 9;
/** Dates per rebuild statement, under D1's 100 parameters. */
const DATES_PER_REBUILD = 90;

/** The `platform_events` row of an event: its subject, amount (monthly, for subscriptions) and bytes pulled out. */
export function platformRowOf(event: PlatformEvent): PlatformEventRow {
  const base = {
    id: event.id,
    type: event.type,
    userId: event.userId,
    occurredAt: event.occurredAt,
    date: new Date(event.occurredAt).toISOString().slice(0, 10),
    subjectId: null,
    amount: null,
    currency: null,
    bytes: null,
    data: event.data,
  };
  switch (event.type) {
    case 'user.registered':
    case 'user.signed-in':
      return base;
    case 'payment.succeeded':
      return { ...base, subjectId: event.data.paymentId, amount: event.data.amount, currency: event.data.currency };
    case 'payment.refunded':
      return { ...base, subjectId: event.data.refundId, amount: event.data.amount, currency: event.data.currency };
    case 'subscription.started':
    case 'subscription.canceled': {
      // MRR counts the monthly share: a yearly plan adds a twelfth of its price each month.
      const monthly = event.data.interval === 'year' ? Math.round(event.data.amount / 12) : event.data.amount;
      return { ...base, subjectId: event.data.subscriptionId, amount: monthly, currency: event.data.currency };
    }
    case 'file.uploaded':
    case 'file.deleted':
      return { ...base, subjectId: event.data.fileId, bytes: event.data.size };
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What each daily metric is, as the SELECT list over one day's events (`d`, already narrowed to the dates rebuilt)
 * and the events it reads. One statement per metric: D1 caps the terms of a compound SELECT too low for one UNION ALL of
 * them all.
 */
const METRIC_QUERIES = [
  sql`date, 'signups', count(*) FROM d WHERE type = 'user.registered' GROUP BY date`,
  sql`date, 'active_users', count(DISTINCT user_id) FROM d WHERE user_id IS NOT NULL GROUP BY date`,
  sql`date, 'revenue:' || currency, sum(amount) FROM d WHERE type = 'payment.succeeded' GROUP BY date, currency`,
  sql`date, 'refunds:' || currency, sum(amount) FROM d WHERE type = 'payment.refunded' GROUP BY date, currency`,
  sql`date, 'storage_uploaded', sum(bytes) FROM d WHERE type = 'file.uploaded' GROUP BY date`,
  sql`date, 'storage_deleted', sum(bytes) FROM d WHERE type = 'file.deleted' GROUP BY date`,
  sql`date, 'subscriptions_started', count(*) FROM d WHERE type = 'subscription.started' GROUP BY date`,
  sql`date, 'subscriptions_canceled', count(*) FROM d WHERE type = 'subscription.canceled' GROUP BY date`,
  sql`date, 'mrr_delta:' || currency, sum(CASE type WHEN 'subscription.started' THEN amount ELSE -amount END)
      FROM d WHERE type IN ('subscription.started', 'subscription.canceled') GROUP BY date, currency`,
];

/**
 * `platform_daily` of `dates`, recomputed from every stored event of those days: their rows deleted, then written
 * again from platform_events. Recomputing (rather than adding the batch's events) is what makes a redelivered or
 * late event count once.
 */
function rebuildStatements(db: Db, dates: string[]) {
  return chunks(dates, DATES_PER_REBUILD).flatMap((part) => {
    const list = sql.join(
      part.map((d) => sql`${d}`),
      sql`, `,
    );
    return [
      db.delete(platformDaily).where(inArray(platformDaily.date, part)),
      // Raw SQL: an INSERT…SELECT with GROUP BY and a computed metric name, which drizzle's builder cannot say.
      ...METRIC_QUERIES.map((query) =>
        db
          .insert(platformDaily)
          .select(sql`WITH d AS (SELECT * FROM ${platformEvents} WHERE date IN (${list})) SELECT ${query}`),
      ),
    ];
  });
}

/**
 * Stores `rows` once each (`INSERT OR IGNORE` on the event id: a redelivered event stores nothing) and rebuilds
 * the daily figures of every UTC day they fall on, all in one atomic `db.batch`: interrupted, nothing is written
 * and the queue's retry does it all again; run twice, the second run changes nothing.
 */
export async function storePlatformEvents(db: Db, rows: PlatformEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const inserts = chunks(rows, ROWS_PER_INSERT).map((part) =>
    db.insert(platformEvents).values(part).onConflictDoNothing(),
  );
  const dates = [...new Set(rows.map((r) => r.date))].sort();
  const [first, ...rest] = [...inserts, ...rebuildStatements(db, dates)];
  if (!first) return;
  await db.batch([first, ...rest]);
}
