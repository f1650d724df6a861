import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { waitForRecorded } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { providerEvents } from '../src/db/schema.js';
import type { ProviderEvent } from '../src/providers/provider.js';
import { markEvent } from '../src/services/event-marks.js';
import { acceptEvent, type PaymentEventMessage, receiveEvent } from '../src/services/receive-event.js';
import { checkLedgerAfterEach } from './helpers.js';

const QUEUE = 'test-stripe-events';
// The recorder's queue stands in for PAYMENT_EVENTS, so that no consumer applies the event meanwhile.
const intake = { DB: env.DB, PAYMENT_EVENTS: env.TEST_STRIPE_EVENTS as Queue<PaymentEventMessage> };

const event = (): ProviderEvent => ({
  id: newId('evt'),
  provider: 'stripe',
  type: 'customer.created',
  createdAt: Date.now(),
});

const sentFor = (id: string, messages: Record<string, unknown>[]) => messages.filter((m) => m.eventId === id).length;

/** The one message queued for event `id`, once it is there. */
const queuedOnce = async (id: string) =>
  (await waitForRecorded(QUEUE, (messages) => sentFor(id, messages) === 1)).find((m) => m.eventId === id);

const storedRow = (id: string) => dbOf(env.DB).select().from(providerEvents).where(eq(providerEvents.id, id)).get();

describe('receiveEvent', () => {
  checkLedgerAfterEach();

  it('queues an event again while it is still pending: the first enqueue may have been lost', async () => {
    const e = event();
    expect(await receiveEvent(intake, e)).toBe('queued');
    expect(await receiveEvent(intake, e)).toBe('requeued');
    await waitForRecorded(QUEUE, (messages) => sentFor(e.id, messages) === 2);
  });

  it('changes nothing for a copy of an event already applied or ignored', async () => {
    const e = event();
    expect(await receiveEvent(intake, e)).toBe('queued');
    await markEvent(dbOf(env.DB), e.id, 'ignored', 'a type the platform does not apply');
    expect(await receiveEvent(intake, { ...e, type: 'customer.updated' })).toBe('duplicate');
    expect(await storedRow(e.id)).toMatchObject({ type: 'customer.created', status: 'ignored' });
  });
});

describe('acceptEvent', () => {
  it('queues the event whole and stores nothing: the consumer stores it', async () => {
    const e = event();
    expect(await acceptEvent(intake, e)).toBe('queued');
    const message = await queuedOnce(e.id);
    expect(message).toEqual({ eventId: e.id, event: e, receivedAt: expect.any(String) });
    expect(Date.now() - Date.parse(String(message?.receivedAt))).toBeLessThan(60_000);
    expect(await storedRow(e.id)).toBeUndefined();
  });

  it('stores an event too large for a queue message first, and queues its id alone', async () => {
    const lastError = { code: 'card_declined', message: 'A provider message of 100 KiB. '.repeat(3_300) };
    const e: ProviderEvent = {
      ...event(),
      type: 'payment_intent.payment_failed',
      intent: {
        providerId: 'pi_large',
        status: 'requires_payment_method',
        amount: 100,
        amountCaptured: 0,
        currency: 'usd',
        updatedAt: Date.now(),
        lastError,
      },
    };
    expect(await acceptEvent(intake, e)).toBe('queued');
    const message = await queuedOnce(e.id);
    expect(message).toEqual({ eventId: e.id });
    expect(await storedRow(e.id)).toMatchObject({ status: 'pending', payload: { intent: { lastError } } });
  });
});
