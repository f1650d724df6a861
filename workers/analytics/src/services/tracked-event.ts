import type { EventRow } from '../db/schema.js';
import type { RebuildRequest } from './rebuild-schedule.js';

/**
 * An event ingest accepted, enriched and hashed: exactly the raw row the consumer stores. `id` is fixed at ingest,
 * so a redelivered message is stored once.
 */
export type TrackedEvent = { kind: 'event' } & Required<EventRow>;

/** Why ingest dropped an event without storing it (answered 202 all the same, as Plausible does). */
export type DropReason = 'bot' | 'no_user_agent' | 'unknown_domain';

/** An event ingest dropped, so the consumer can count drops per UTC day. */
export interface DroppedEvent {
  kind: 'drop';
  reason: DropReason;
  /** UTC day of the drop, `YYYY-MM-DD`. */
  date: string;
}

/** One message on the analytics-events queue: an event, a drop, or a rebuild a consumer put off. */
export type AnalyticsMessage = TrackedEvent | DroppedEvent | RebuildRequest;
