import { z } from 'zod';

const envelope = {
  kind: z.literal('platform-event'),
  /** Unique per event and stable across redeliveries, so that counting consumers drop duplicates. */
  id: z.string().min(1).max(128),
  occurredAt: z.iso.datetime(),
  /** The user the event is about; null for anonymous activity. */
  userId: z.string().min(1).nullable(),
};

/** Amounts are integers in minor units of a lower-case ISO 4217 currency, as payments answers them. */
const money = { amount: z.number().int().nonnegative(), currency: z.string().regex(/^[a-z]{3}$/) };

/** A subscription as its events name it: `amount` per `interval`, of which analytics counts the monthly share as MRR. */
const subscription = z.object({
  subscriptionId: z.string().min(1),
  planId: z.string().min(1),
  interval: z.enum(['month', 'year']),
  ...money,
});

/**
 * Business events services publish on the platform-events queue for the analytics Worker to count (signups, active
 * users, revenue, refunds, MRR, storage uploaded). Delivery is at least once, in no order: the consumer stores each
 * `id` once. No event carries personal data beyond the user id: names and addresses stay with their owners.
 */
export const PlatformEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...envelope,
    type: z.literal('user.registered'),
    data: z.object({ method: z.enum(['password', 'oauth']) }),
  }),
  z.object({
    ...envelope,
    type: z.literal('user.signed-in'),
    data: z.object({ method: z.enum(['password', 'mfa', 'oauth']) }),
  }),
  z.object({
    ...envelope,
    type: z.literal('payment.succeeded'),
    data: z.object({ paymentId: z.string().min(1), provider: z.string().min(1), ...money }),
  }),
  z.object({
    ...envelope,
    type: z.literal('payment.refunded'),
    data: z.object({ paymentId: z.string().min(1), refundId: z.string().min(1), ...money }),
  }),
  z.object({ ...envelope, type: z.literal('subscription.started'), data: subscription }),
  z.object({ ...envelope, type: z.literal('subscription.canceled'), data: subscription }),
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

/** Every business event type. */
export type PlatformEventType = PlatformEvent['type'];
