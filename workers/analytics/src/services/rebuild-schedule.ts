import type { Db } from '../db/client.js';
import { rebuildDay } from './rebuild-day.js';

/** A rebuild of one (site, day) that a consumer put off; whoever consumes it rebuilds the day then. */
export interface RebuildRequest {
  kind: 'rebuild';
  siteId: string;
  date: string;
}

// Per isolate: when each day was last rebuilt here, and until when a deferred rebuild of it is already queued.
const lastRebuilt = new Map<string, number>();
const queuedUntil = new Map<string, number>();

function forgetOld(map: Map<string, number>, now: number): void {
  if (map.size < 10_000) return;
  for (const [key, at] of map) if (Math.abs(now - at) > 600_000) map.delete(key);
}

/** Seconds between two rebuilds of one busy day (`ANALYTICS_REBUILD_SECONDS`, default 2; 0 rebuilds on every batch). */
export function rebuildIntervalMs(env: { ANALYTICS_REBUILD_SECONDS?: string }): number {
  const seconds = Number(env.ANALYTICS_REBUILD_SECONDS ?? '2');
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : 2000;
}

/**
 * Rebuilds each (site, day) whose raw events just changed, at most once per `everyMs` per isolate: a rebuild reads
 * the whole day, so rebuilding on every batch of a busy day would cost the square of its events. A day rebuilt less
 * than `everyMs` ago gets a rebuild message delayed by `everyMs` instead, unless one already queued falls due later
 * than these events were stored, in which case that one covers them. Either way every stored event is followed by a
 * rebuild that reads it; a failed send throws, so the events' messages are retried and schedule it again.
 */
export async function rebuildOrDefer(
  db: Db,
  queue: Queue,
  days: readonly { siteId: string; date: string }[],
  everyMs: number,
): Promise<void> {
  const deferred: RebuildRequest[] = [];
  for (const { siteId, date } of days) {
    const key = `${siteId}\u0000${date}`;
    const now = Date.now();
    if (everyMs === 0 || now - (lastRebuilt.get(key) ?? 0) >= everyMs) {
      lastRebuilt.set(key, now);
      await rebuildDay(db, siteId, date);
    } else if ((queuedUntil.get(key) ?? 0) <= now) {
      deferred.push({ kind: 'rebuild', siteId, date });
    }
  }
  if (deferred.length === 0) return;
  const delaySeconds = Math.max(1, Math.ceil(everyMs / 1000));
  await queue.sendBatch(deferred.map((body) => ({ body, delaySeconds })));
  const due = Date.now() + delaySeconds * 1000;
  for (const { siteId, date } of deferred) queuedUntil.set(`${siteId}\u0000${date}`, due);
  forgetOld(lastRebuilt, due);
  forgetOld(queuedUntil, due);
}
