import { z } from '@hono/zod-openapi';
import type { Site } from '../db/schema.js';
import { EventFieldsSchema } from './event-input.js';
import { type Sender, trackedEventOf } from './ingest-event.js';
import type { TrackedEvent } from './tracked-event.js';

/** Most events one batch may carry: one queue `sendBatch`. */
export const MAX_BATCH_EVENTS = 100;
/** How old a batch event's `timestamp` may be: as long as its visitor salt can still be had. */
export const MAX_EVENT_AGE_MS = 48 * 60 * 60 * 1000;
/** How far ahead of this Worker's clock a `timestamp` may be (a sender's clock skew). */
export const MAX_EVENT_SKEW_MS = 5 * 60 * 1000;

const BatchEventSchema = EventFieldsSchema.extend({
  timestamp: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'ISO 8601, at most 48 h old and 5 minutes ahead; default now.' }),
  userId: z.string().min(1).max(128).optional().openapi({ description: 'Marks an identified event (retention).' }),
  id: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({ description: 'The sender’s id of the event: a batch sent again stores it once.' }),
}).strict();

/** `{ events }`: 1–100 server-side events of the site the ingest key names; timestamps checked against the clock. */
export const EventBatchSchema = z
  .object({
    events: z
      .array(
        BatchEventSchema.superRefine((e, ctx) => {
          if (e.timestamp === undefined) return;
          const ts = Date.parse(e.timestamp);
          const now = Date.now();
          if (ts < now - MAX_EVENT_AGE_MS || ts > now + MAX_EVENT_SKEW_MS) {
            ctx.addIssue({
              code: 'custom',
              path: ['timestamp'],
              message: 'Must be within the last 48 hours and at most 5 minutes ahead.',
            });
          }
        }),
      )
      .min(1)
      .max(MAX_BATCH_EVENTS),
  })
  .strict()
  .openapi('EventBatchRequest');

/** A validated batch. */
export type EventBatch = z.infer<typeof EventBatchSchema>;

/**
 * The queue messages of a validated batch, in its order. An event with an `id` is stored as `<siteId>:<id>`, so the
 * same batch sent again (a retry after a timeout) is stored once; one without gets a random id and would count twice.
 */
export function messagesForBatch(
  env: AnalyticsEnv,
  site: Site,
  batch: EventBatch,
  sender: Sender,
  now = Date.now(),
): Promise<TrackedEvent[]> {
  return Promise.all(
    batch.events.map((e) =>
      trackedEventOf(
        env,
        {
          site,
          fields: e,
          sender,
          ts: e.timestamp === undefined ? now : Date.parse(e.timestamp),
          id: e.id === undefined ? undefined : `${site.id}:${e.id}`,
          userId: e.userId,
        },
        now,
      ),
    ),
  );
}

// Queues take at most 256 KB per sendBatch; a batch of large events is sent in as few parts as fit.
const MAX_SEND_BYTES = 240_000;

/** The messages in runs of at most MAX_SEND_BYTES of JSON each (one run for any ordinary batch). */
export function sendRuns<T>(messages: T[]): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = new TextEncoder().encode(JSON.stringify(m)).byteLength;
    if (run.length > 0 && bytes + size > MAX_SEND_BYTES) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(m);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
