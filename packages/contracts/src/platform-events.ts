import { z } from 'zod';

const envelope = {
  kind: z.literal('platform-event'),
  /** Unique per event and stable across redeliveries, so that counting consumers drop duplicates. */
  id: z.string().min(1).max(128),
  occurredAt: z.iso.datetime(),
  /** The user the event is about; null for anonymous activity. */
  userId: z.string().min(1).nullable(),
};

/**
 * Business events services publish on the platform-events queue for analytics to count (storage uploaded, signups,
 * revenue…). Delivery is at least once, in no order: consumers count each `id` once. The files events are here
 * first; identity's and payments' join them with the analytics Worker that consumes the queue.
 */
export const PlatformEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...envelope,
    type: z.literal('file.uploaded'),
    data: z.object({ fileId: z.string().min(1), size: z.number().int().nonnegative(), contentType: z.string() }),
  }),
  z.object({
    ...envelope,
    type: z.literal('file.deleted'),
    data: z.object({ fileId: z.string().min(1), size: z.number().int().nonnegative() }),
  }),
]);

/** One business event. */
export type PlatformEvent = z.infer<typeof PlatformEventSchema>;
