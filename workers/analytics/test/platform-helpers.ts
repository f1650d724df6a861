import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { PlatformEvent } from '@onasis/contracts';
import worker from '../src/index.js';

/** Hands `bodies` to the Worker's queue handler as one batch of the platform-events queue; answers what it acked. */
export async function deliverPlatform(bodies: unknown[]) {
  const batch = createMessageBatch(
    'onasis-platform-events',
    bodies.map((body, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

const at = (date: string) => `${date}T12:00:00.000Z`;

/** Builders of well-formed business events on a UTC day, ids unique unless given. */
export const ev = {
  registered: (userId: string, date: string, id = `user.registered:${userId}`): PlatformEvent => ({
    kind: 'platform-event',
    id,
    type: 'user.registered',
    occurredAt: at(date),
    userId,
    data: { method: 'password' },
  }),
  signedIn: (userId: string, date: string): PlatformEvent => ({
    kind: 'platform-event',
    id: `user.signed-in:${crypto.randomUUID()}`,
    type: 'user.signed-in',
    occurredAt: at(date),
    userId,
    data: { method: 'password' },
  }),
  paid: (userId: string, date: string, amount: number, currency = 'usd'): PlatformEvent => {
    const paymentId = `pay_${crypto.randomUUID()}`;
    return {
      kind: 'platform-event',
      id: `payment.succeeded:${paymentId}`,
      type: 'payment.succeeded',
      occurredAt: at(date),
      userId,
      data: { paymentId, provider: 'sandbox', amount, currency },
    };
  },
  refunded: (userId: string, date: string, amount: number, currency = 'usd'): PlatformEvent => {
    const refundId = `re_${crypto.randomUUID()}`;
    return {
      kind: 'platform-event',
      id: `payment.refunded:${refundId}`,
      type: 'payment.refunded',
      occurredAt: at(date),
      userId,
      data: { paymentId: 'pay_x', refundId, amount, currency },
    };
  },
  subscription: (
    type: 'subscription.started' | 'subscription.canceled',
    userId: string,
    date: string,
    amount: number,
    interval: 'month' | 'year' = 'month',
    subscriptionId = `sub_${crypto.randomUUID()}`,
  ): PlatformEvent => ({
    kind: 'platform-event',
    id: `${type}:${subscriptionId}`,
    type,
    occurredAt: at(date),
    userId,
    data: { subscriptionId, planId: 'pro', interval, amount, currency: 'usd' },
  }),
  uploaded: (userId: string, date: string, size: number): PlatformEvent => {
    const fileId = `fil_${crypto.randomUUID()}`;
    return {
      kind: 'platform-event',
      id: `file.uploaded:${fileId}`,
      type: 'file.uploaded',
      occurredAt: at(date),
      userId,
      data: { fileId, size, contentType: 'image/png' },
    };
  },
};
