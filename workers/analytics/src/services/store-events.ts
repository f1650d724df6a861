import { sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client.js';
import { type EventRow, events, ingestDrops, userWeeks } from '../db/schema.js';
import { weekOf } from './site-time.js';
import type { DroppedEvent, TrackedEvent } from './tracked-event.js';

/** Rows per events INSERT: 22 columns each, so 4 rows bind 88 parameters, under D1's 100 per statement. */
export const EVENT_ROWS_PER_STATEMENT = 4;

/** Rows per user_weeks INSERT: 3 columns each, 33 rows bind 99 parameters. */
const WEEK_ROWS_PER_STATEMENT = 33;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function rowOf({ kind: _kind, ...row }: TrackedEvent): EventRow {
  return row;
}

/**
 * Stores one delivery's raw events, the retention weeks of its identified users and its drop counts, in one atomic
 * batch, and answers the events it newly stored. Events go in with INSERT OR IGNORE … RETURNING, which returns only
 * the rows it inserted: a redelivered event (same id) is neither stored nor answered twice. user_weeks rows are
 * ignored when present. Drops are added (`count + n`), so a redelivered drop counts again (operator figures only).
 * Interrupted, the batch leaves nothing behind and the queue's retry stores it all.
 */
export async function storeEvents(
  db: Db,
  tracked: readonly TrackedEvent[],
  drops: readonly DroppedEvent[],
): Promise<TrackedEvent[]> {
  const inserts = chunks(tracked, EVENT_ROWS_PER_STATEMENT).map((part) =>
    db.insert(events).values(part.map(rowOf)).onConflictDoNothing().returning({ id: events.id }),
  );
  const weeks = new Map<string, { siteId: string; userId: string; week: string }>();
  for (const e of tracked) {
    if (e.userId === null) continue;
    const week = weekOf(e.date);
    weeks.set(`${e.siteId}\u0000${e.userId}\u0000${week}`, { siteId: e.siteId, userId: e.userId, week });
  }
  const weekInserts = chunks([...weeks.values()], WEEK_ROWS_PER_STATEMENT).map((part) =>
    db.insert(userWeeks).values(part).onConflictDoNothing(),
  );
  const counted = new Map<string, { date: string; reason: DroppedEvent['reason']; count: number }>();
  for (const d of drops) {
    const key = `${d.date}\u0000${d.reason}`;
    const row = counted.get(key) ?? { date: d.date, reason: d.reason, count: 0 };
    row.count += 1;
    counted.set(key, row);
  }
  const dropUpserts = [...counted.values()].map((row) =>
    db
      .insert(ingestDrops)
      .values(row)
      .onConflictDoUpdate({
        target: [ingestDrops.date, ingestDrops.reason],
        set: { count: sql`${ingestDrops.count} + ${row.count}` },
      }),
  );
  const others: BatchItem<'sqlite'>[] = [...weekInserts, ...dropUpserts];
  const [first, ...rest] = [...inserts, ...others];
  if (first === undefined) return [];
  const results = await db.batch([first, ...rest]);
  const stored = new Set<string>();
  for (const result of results.slice(0, inserts.length) as { id: string }[][]) {
    for (const { id } of result) stored.add(id);
  }
  // A batch may carry one event twice: the first copy is the one stored.
  const fresh: TrackedEvent[] = [];
  for (const e of tracked) {
    if (stored.delete(e.id)) fresh.push(e);
  }
  return fresh;
}
