import { createLogger } from '@onasis/http';
import { dbOf } from '../db/client.js';
import { writeEnginePoints } from './engine-points.js';
import { daysOf } from './rebuild-day.js';
import { type RebuildRequest, rebuildIntervalMs, rebuildOrDefer } from './rebuild-schedule.js';
import { storeEvents } from './store-events.js';
import type { AnalyticsMessage, DroppedEvent, TrackedEvent } from './tracked-event.js';

const log = createLogger({ service: 'analytics' });

const TEXT_FIELDS = [
  'id',
  'siteId',
  'date',
  'visitorId',
  'name',
  'hostname',
  'pathname',
  'referrer',
  'source',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'country',
  'device',
  'browser',
  'os',
] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const REASONS = new Set(['bot', 'no_user_agent', 'unknown_domain']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOrNull = (v: unknown) => v === null || typeof v === 'string';

/** Whether a message body is an event the consumer can store (ingest wrote it, but a queue carries any bytes). */
export function isTrackedEvent(body: unknown): body is TrackedEvent {
  if (!isRecord(body) || body.kind !== 'event') return false;
  if (!TEXT_FIELDS.every((f) => typeof body[f] === 'string')) return false;
  if (!Number.isSafeInteger(body.ts) || !Number.isInteger(body.hour)) return false;
  if (typeof body.date !== 'string' || !DAY.test(body.date)) return false;
  if (!textOrNull(body.userId) || !textOrNull(body.currency)) return false;
  if (!(body.revenue === null || Number.isSafeInteger(body.revenue))) return false;
  return body.props === null || isRecord(body.props);
}

/** Whether a message body is a deferred rebuild of one (site, day). */
export function isRebuildRequest(body: unknown): body is RebuildRequest {
  return (
    isRecord(body) &&
    body.kind === 'rebuild' &&
    typeof body.siteId === 'string' &&
    typeof body.date === 'string' &&
    DAY.test(body.date)
  );
}

/** Whether a message body is a drop count. */
export function isDroppedEvent(body: unknown): body is DroppedEvent {
  return (
    isRecord(body) &&
    body.kind === 'drop' &&
    typeof body.reason === 'string' &&
    REASONS.has(body.reason) &&
    typeof body.date === 'string' &&
    DAY.test(body.date)
  );
}

/**
 * The analytics-events queue's consumer. Raw events are stored by id (INSERT OR IGNORE), then every (site, day) the
 * batch names is rebuilt from all of that day's raw rows. Exactly-once holds by construction, not by bookkeeping:
 * rollups are never incremented, only recomputed, so a redelivered batch (its ids ignored) or a late event leaves
 * each day as if every event had arrived once. The days come from the messages, not from what was newly stored, so
 * a retry after a crash between the insert and the rebuild still rebuilds them. A busy day is rebuilt at most once
 * per ANALYTICS_REBUILD_SECONDS per isolate, the rest put off with a delayed rebuild message (services/rebuild-schedule.ts).
 * A malformed message is logged (its queue id, never its body) and acknowledged: it could never succeed. If storing
 * fails, the whole batch is retried; if a rebuild fails, the event messages are (the drops, already counted, not).
 */
export async function consumeTrackedEvents(env: AnalyticsEnv, batch: MessageBatch<AnalyticsMessage>): Promise<void> {
  const tracked: TrackedEvent[] = [];
  const drops: DroppedEvent[] = [];
  const eventMessages: Message<AnalyticsMessage>[] = [];
  const rebuilds: RebuildRequest[] = [];
  for (const message of batch.messages) {
    const body: unknown = message.body;
    if (isTrackedEvent(body)) {
      tracked.push(body);
      eventMessages.push(message);
    } else if (isRebuildRequest(body)) {
      rebuilds.push(body);
      eventMessages.push(message);
    } else if (isDroppedEvent(body)) drops.push(body);
    else {
      log.error('malformed analytics message dropped', { messageId: message.id });
      message.ack();
    }
  }
  const db = dbOf(env.DB);
  try {
    writeEnginePoints(env.EVENTS_DATASET, await storeEvents(db, tracked, drops));
  } catch (err) {
    log.error('analytics events not stored; batch retried', { error: String(err) });
    batch.retryAll();
    return;
  }
  try {
    // A deferred rebuild is due now: it is rebuilt whatever this isolate did lately.
    await rebuildOrDefer(db, env.ANALYTICS_EVENTS, daysOf(rebuilds), 0);
    await rebuildOrDefer(db, env.ANALYTICS_EVENTS, daysOf(tracked), rebuildIntervalMs(env));
  } catch (err) {
    log.error('analytics rollups not rebuilt; events retried', { error: String(err) });
    for (const message of eventMessages) message.retry();
    return;
  }
  batch.ackAll();
}
