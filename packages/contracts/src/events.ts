import { z } from 'zod';

/** Queues between services; staging and production append `-staging` / `-production` to each name. */
export const QUEUE_NAMES = {
  /** Messages for the notifications Worker to deliver. */
  notifications: 'onasis-notifications',
  /** What the notifications queue gave up on. */
  notificationsDlq: 'onasis-notifications-dlq',
  /** Lifecycle events of accounts that every service with user data consumes. */
  userEvents: 'onasis-user-events',
  /** Jobs for the jobs Worker to run. */
  jobs: 'onasis-jobs',
  /** What the jobs queue gave up on. */
  jobsDlq: 'onasis-jobs-dlq',
  /** Verified provider events (webhooks, the sandbox's own state changes) for the payments Worker to apply. */
  paymentEvents: 'onasis-payment-events',
  /** What the payment-events queue gave up on. */
  paymentEventsDlq: 'onasis-payment-events-dlq',
  /** Business events of every service (uploads, signups, payments) for the analytics Worker to count. */
  platformEvents: 'onasis-platform-events',
  /** What the platform-events queue gave up on. */
  platformEventsDlq: 'onasis-platform-events-dlq',
  /** Validated, enriched tracking events for the analytics Worker to store and roll up. */
  analyticsEvents: 'onasis-analytics-events',
  /** What the analytics-events queue gave up on. */
  analyticsEventsDlq: 'onasis-analytics-events-dlq',
} as const;

/** A queue's name without its environment suffix, to compare with QUEUE_NAMES: `onasis-jobs-staging` → `onasis-jobs`. */
export function queueBaseName(name: string): string {
  return name.replace(/-(staging|production)$/, '');
}

/** Templates identity sends; each ships with the notifications Worker. */
export const IDENTITY_TEMPLATES = [
  'identity.verify-email',
  'identity.reset-password',
  'identity.new-sign-in',
  'identity.mfa-changed',
  'identity.email-changed',
  'identity.register-attempt',
] as const;

/**
 * A request to notify someone, as put on the notifications queue. Delivery is at least once, so `idempotencyKey`
 * lets the consumer drop a redelivered message.
 */
export const NotificationMessageSchema = z.object({
  kind: z.literal('notification'),
  idempotencyKey: z.string().min(1).max(200),
  /** A user id (`usr_…`), whose preferences and address apply, or an email address. */
  to: z.string().min(1),
  /** For a message to a user whose address is about to change: where this one must go instead. */
  toAddress: z.email().optional(),
  template: z.string().min(1),
  category: z.enum(['security', 'billing', 'product', 'marketing']),
  locale: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

/** One notification request. */
export type NotificationMessage = z.infer<typeof NotificationMessageSchema>;

/** An account lifecycle event, as put on the user-events queue. */
export const UserEventSchema = z.object({
  kind: z.literal('user-event'),
  /** Unique per event, for consumers to drop redeliveries. */
  id: z.string().min(1),
  /**
   * `user.deleted`: erase what you hold of the user. `user.account-claimed`: the owner of the address has just proved
   * it (first verification, password reset, social login on a verified email), so whatever someone else set up on the
   * account before that (push targets, phone number) must go.
   */
  type: z.enum(['user.deleted', 'user.account-claimed']),
  userId: z.string().min(1),
  occurredAt: z.iso.datetime(),
});

/** One user lifecycle event. */
export type UserEvent = z.infer<typeof UserEventSchema>;
