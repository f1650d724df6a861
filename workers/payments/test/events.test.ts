import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { ledgerTransactions, paymentIntents, providerEvents } from '../src/db/schema.js';
import type { ProviderIntent } from '../src/providers/provider.js';
import { deliver, deliverBodies, storeEvent } from './event-helpers.js';
import { ADMIN, act, checkLedgerAfterEach, createPayment, getPayment, waitForStatus } from './helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

/** A payment waiting in requires_action (3-D Secure), and its provider's view of it. */
async function waitingPayment() {
  const payment = await createPayment();
  const res = await act(payment.id, 'confirm', { paymentMethod: 'pm_card_authenticationRequired' });
  expect(res.status).toBe(200);
  const row = await db.select().from(paymentIntents).where(eq(paymentIntents.id, payment.id)).get();
  if (!row?.providerIntentId) throw new Error('no provider id');
  const base: ProviderIntent = {
    providerId: row.providerIntentId,
    status: 'succeeded',
    amount: 2000,
    amountCaptured: 2000,
    currency: 'usd',
    updatedAt: Date.now() + 1000,
  };
  return { payment, base };
}

const eventStatus = async (id: string) =>
  (await db.select().from(providerEvents).where(eq(providerEvents.id, id)).get())?.status;

/** A queue message that carries its event whole, as a webhook's acknowledgement sends it. */
function carried(type: string) {
  const id = `sbx_evt_${crypto.randomUUID()}`;
  return { eventId: id, event: { id, provider: 'sandbox', type, createdAt: Date.now() } };
}

describe('payment events', () => {
  it('applies one event delivered five times in parallel once: one status change, one capture', async () => {
    const { payment, base } = await waitingPayment();
    const eventId = await storeEvent('payment_intent.succeeded', base);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => deliver([eventId])));
    expect(results.flatMap((r) => r.explicitAcks).length + results.flatMap((r) => r.retryMessages).length).toBe(5);
    // A delivery that lost the race may be retried; delivering again settles it as already applied.
    await deliver([eventId]);
    expect(await eventStatus(eventId)).toBe('applied');
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    const captures = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, payment.id));
    expect(captures).toHaveLength(1);
  });

  it('leaves a payment succeeded when succeeded arrives before processing, even with a later processing time', async () => {
    const { payment, base } = await waitingPayment();
    const succeeded = await storeEvent('payment_intent.succeeded', base);
    const older = await storeEvent('payment_intent.processing', {
      ...base,
      status: 'processing',
      amountCaptured: 0,
      updatedAt: base.updatedAt - 500,
    });
    const later = await storeEvent('payment_intent.processing', {
      ...base,
      status: 'processing',
      amountCaptured: 0,
      updatedAt: base.updatedAt + 500,
    });
    await deliver([succeeded]);
    await deliver([older]);
    await deliver([later]);
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    expect([await eventStatus(older), await eventStatus(later)]).toEqual(['ignored', 'ignored']);
  });

  it('records unknown types and events about the recorded state as ignored', async () => {
    const unknown = await storeEvent('charge.dispute.funds_withdrawn');
    await deliver([unknown]);
    expect(await eventStatus(unknown)).toBe('ignored');
    const { base } = await waitingPayment();
    const same = await storeEvent('payment_intent.requires_action', {
      ...base,
      status: 'requires_action',
      amountCaptured: 0,
    });
    await deliver([same]);
    expect(await eventStatus(same)).toBe('ignored');
  });

  it('settles a mixed batch: ignored types together, duplicates once, settled, unknown and malformed ones acked', async () => {
    const { payment, base } = await waitingPayment();
    const succeeded = await storeEvent('payment_intent.succeeded', base);
    const first = await storeEvent('customer.created');
    const second = await storeEvent('customer.created');
    const third = await storeEvent('customer.created');
    const settled = await storeEvent('customer.updated');
    await db.update(providerEvents).set({ status: 'failed', error: 'given up' }).where(eq(providerEvents.id, settled));
    const bodies = [first, succeeded, second, first, settled, 'sbx_evt_never_stored', third].map((eventId) => ({
      eventId,
    }));
    const result = await deliverBodies([...bodies, { eventId: 42 }, 'not an object']);

    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(9);
    const rows = await Promise.all(
      [first, second, third, settled, succeeded].map(
        async (id) => (await db.select().from(providerEvents).where(eq(providerEvents.id, id)).get()) ?? null,
      ),
    );
    expect(rows.map((r) => [r?.status, r?.error])).toEqual([
      ['ignored', 'a type the platform does not apply'],
      ['ignored', 'a type the platform does not apply'],
      ['ignored', 'a type the platform does not apply'],
      ['failed', 'given up'],
      ['applied', null],
    ]);
    expect([0, 1, 2, 4].every((i) => rows[i]?.processedAt)).toBe(true);
    expect(await getPayment(payment.id)).toMatchObject({ status: 'succeeded', amountCaptured: 2000 });
    // Delivered again, nothing changes: every event is settled.
    const again = await deliver([first, succeeded, settled]);
    expect([again.explicitAcks.length, again.retryMessages.length]).toEqual([3, 0]);
    const captures = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, payment.id));
    expect(captures).toHaveLength(1);
  });

  it('stores the events a batch carries once, and keeps one whose every attempt failed as failed', async () => {
    const ignored = carried('customer.created');
    const orphan = carried('refund.updated');
    Object.assign(orphan.event, {
      refund: {
        providerId: 'sbx_re_unknown',
        paymentProviderId: 'sbx_pi_unknown',
        amount: 100,
        currency: 'usd',
        status: 'succeeded',
      },
    });
    const mismatched = carried('customer.created');
    const result = await deliverBodies([
      ignored,
      ignored,
      orphan,
      { ...mismatched, event: { ...mismatched.event, id: 'sbx_evt_other' } },
    ]);
    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toHaveLength(1);
    expect(await eventStatus(ignored.eventId)).toBe('ignored');
    expect(await eventStatus(orphan.eventId)).toBe('pending');
    expect(await eventStatus(mismatched.eventId)).toBeUndefined();
    expect(await eventStatus('sbx_evt_other')).toBeUndefined();

    // Never stored (every store failed): the DLQ keeps the event it carries as failed.
    const lost = carried('payment_intent.succeeded');
    await deliverBodies([lost, orphan], 'onasis-payment-events-dlq');
    const rows = await Promise.all(
      [lost.eventId, orphan.eventId].map((id) =>
        db.select().from(providerEvents).where(eq(providerEvents.id, id)).get(),
      ),
    );
    expect(rows.map((r) => r?.status)).toEqual(['failed', 'failed']);
    expect(rows[0]).toMatchObject({ error: 'gave up after the queue retries', payload: lost.event });
    expect(rows[1]?.error).toContain('no refund recorded for sandbox sbx_re_unknown');
  });

  it('retries a whole group whose store fails, storing none of it, and stores it when delivered again', async () => {
    const fine = carried('customer.created');
    // A value JSON cannot hold (a queue message may carry one; a row's payload cannot): the store throws.
    const unstorable = carried('customer.updated');
    Object.assign(unstorable.event, { amount: 10n });
    const failed = await deliverBodies([fine, unstorable]);
    expect([failed.explicitAcks.length, failed.retryMessages.length]).toEqual([0, 2]);
    expect(await eventStatus(fine.eventId)).toBeUndefined();
    expect(await eventStatus(unstorable.eventId)).toBeUndefined();
    const again = await deliverBodies([fine]);
    expect([again.explicitAcks.length, again.retryMessages.length]).toEqual([1, 0]);
    expect(await eventStatus(fine.eventId)).toBe('ignored');
  });

  it('retries an event about a payment not recorded yet, and the DLQ marks it failed with the error', async () => {
    const orphan = await storeEvent('payment_intent.succeeded', {
      providerId: 'sbx_pi_unknown',
      status: 'succeeded',
      amount: 100,
      amountCaptured: 100,
      currency: 'usd',
      updatedAt: Date.now(),
    });
    const result = await deliver([orphan]);
    expect(result.retryMessages).toHaveLength(1);
    await deliver([orphan], 'onasis-payment-events-dlq');
    const stored = await db.select().from(providerEvents).where(eq(providerEvents.id, orphan)).get();
    expect(stored).toMatchObject({ status: 'failed' });
    expect(stored?.error).toContain('sbx_pi_unknown');
  });
});

describe('sandbox asynchronous payments', () => {
  it('completes 3-D Secure through the sandbox page: requires_action → succeeded by a sandbox event', async () => {
    const { payment } = await waitingPayment();
    const waiting = await getPayment(payment.id);
    expect(waiting.approvalUrl).toBe(`/api/v1/payments/intents/${payment.id}/sandbox/authenticate`);
    const res = await act(payment.id, 'sandbox/authenticate', { outcome: 'succeed' });
    expect(res.status).toBe(202);
    const { eventId } = await res.json<{ eventId: string }>();
    expect(eventId).toMatch(/^sbx_evt_/);
    expect(await waitForStatus(payment.id, 'succeeded')).toMatchObject({ amountCaptured: 2000 });
  });

  it('fails 3-D Secure back to requires_payment_method with the error', async () => {
    const { payment } = await waitingPayment();
    expect((await act(payment.id, 'sandbox/authenticate', { outcome: 'fail' })).status).toBe(202);
    const failed = await waitForStatus(payment.id, 'requires_payment_method');
    expect(failed.lastError?.code).toBe('payment_intent_authentication_failure');
  });

  it('sends one event when the sandbox page is answered twice for one attempt', async () => {
    const { payment } = await waitingPayment();
    const answers = await Promise.all(
      [1, 2].map(() => act(payment.id, 'sandbox/authenticate', { outcome: 'succeed' })),
    );
    const ids = await Promise.all(
      answers.map(async (r) => (r.status === 202 ? (await r.json<{ eventId: string }>()).eventId : r.status)),
    );
    expect(new Set(ids).size).toBe(1);
    await waitForStatus(payment.id, 'succeeded');
    const captures = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, payment.id));
    expect(captures).toHaveLength(1);
  });

  it('answers 404 to the sandbox page for a payment of another provider or another user', async () => {
    const id = `pay_${crypto.randomUUID().replaceAll('-', '')}`;
    await db.insert(paymentIntents).values({
      id,
      userId: 'usr_alice',
      provider: 'stripe',
      providerIntentId: `pi_${id}`,
      status: 'requires_action',
      amount: 2000,
      currency: 'usd',
      captureMethod: 'automatic',
    });
    expect((await act(id, 'sandbox/authenticate', { outcome: 'succeed' })).status).toBe(404);
    const { payment } = await waitingPayment();
    expect((await act(payment.id, 'sandbox/authenticate', { outcome: 'succeed' }, ADMIN)).status).toBe(404);
  });

  it('answers 409 to authenticating a payment not waiting for it', async () => {
    const payment = await createPayment();
    expect((await act(payment.id, 'sandbox/authenticate', { outcome: 'succeed' })).status).toBe(409);
  });

  it('settles a delayed bank payment: processing → succeeded after SANDBOX_SETTLE_SECONDS', {
    timeout: 40_000,
  }, async () => {
    const payment = await createPayment();
    const res = await act(payment.id, 'confirm', { paymentMethod: 'pm_usBankAccount' });
    expect(await res.json()).toMatchObject({ status: 'processing', amountCaptured: 0 });
    const settled = await waitForStatus(payment.id, 'succeeded', 30_000);
    expect(settled.amountCaptured).toBe(2000);
  });
});
