import { env } from 'cloudflare:workers';
import { waitForRecorded } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { disputes } from '../src/db/schema.js';
import type { ProviderDispute } from '../src/providers/provider-disputes.js';
import { closeDispute, openDispute } from '../src/services/dispute-sandbox.js';
import {
  type Dispute,
  eventStatus,
  movementKinds,
  providerIdOf,
  storeDisputeEvent,
  waitForDispute,
} from './dispute-helpers.js';
import { deliver } from './event-helpers.js';
import { ADMIN, ALICE, call, checkLedgerAfterEach, createPayment, paidPayment } from './helpers.js';

checkLedgerAfterEach();

const open = (json: unknown) => call('/api/v1/payments/disputes/sandbox', { json }, ADMIN);
const close = (id: string, outcome: string) =>
  call(`/api/v1/payments/disputes/${id}/sandbox/close`, { json: { outcome } }, ADMIN);

/** A succeeded sandbox payment, disputed, with the dispute applied. */
async function disputed(body: Record<string, unknown> = {}) {
  const payment = await paidPayment();
  const res = await open({ paymentId: payment.id, ...body });
  expect(res.status, await res.clone().text()).toBe(202);
  const { disputeId, eventId } = await res.json<{ disputeId: string; eventId: string }>();
  return { payment, disputeId, eventId, dispute: await waitForDispute(disputeId, 'needs_response') };
}

describe('sandbox disputes', () => {
  it('withdraws the disputed amount and the fee once, and alerts PAYMENTS_ALERTS_TO', async () => {
    const { payment, disputeId, eventId, dispute } = await disputed({ amount: 1500, reason: 'product_not_received' });
    expect(dispute).toMatchObject({ paymentId: payment.id, amount: 1500, fee: 1500, reason: 'product_not_received' });
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'fee']);
    const notices = await waitForRecorded('test-notifications', (m) =>
      m.some((n) => (n.data as { disputeId?: string })?.disputeId === disputeId),
    );
    const notice = notices.filter((n) => (n.data as { disputeId?: string })?.disputeId === disputeId);
    expect(notice).toEqual([
      expect.objectContaining({
        to: 'admin@onasis.local',
        template: 'payments.dispute-opened',
        category: 'billing',
        idempotencyKey: `payments.dispute-opened:${eventId}:admin@onasis.local`,
        data: expect.objectContaining({ amount: 1500, currency: 'usd', amountFormatted: '15.00 USD' }),
      }),
    ]);
    // Asking again sends the same event: one dispute, one withdrawal.
    const again = await open({ paymentId: payment.id });
    expect(await again.json()).toEqual({ disputeId, eventId });
    expect(await eventStatus(eventId)).toBe('applied');
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('reinstates the amount but not the fee when the dispute is won, and refuses to close it again', async () => {
    const { payment, disputeId } = await disputed();
    expect((await close(disputeId, 'won')).status).toBe(202);
    await waitForDispute(disputeId, 'won');
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'dispute_reversal', 'fee']);
    expect((await close(disputeId, 'lost')).status).toBe(409);
  });

  it('keeps the amount withdrawn when the dispute is lost', async () => {
    const { payment, disputeId } = await disputed();
    expect((await close(disputeId, 'lost')).status).toBe(202);
    await waitForDispute(disputeId, 'lost');
    expect(await movementKinds(payment.id)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('lists disputes newest first, filtered by status, and finds no unknown one', async () => {
    const first = await disputed();
    const second = await disputed();
    const res = await call('/api/v1/payments/disputes?status=needs_response&limit=100', {}, ADMIN);
    const ids = (await res.json<{ data: Dispute[] }>()).data.map((d) => d.id);
    expect(ids.indexOf(second.disputeId)).toBeLessThan(ids.indexOf(first.disputeId));
    expect(ids.indexOf(first.disputeId)).toBeGreaterThanOrEqual(0);
    const won = await call('/api/v1/payments/disputes?status=won&limit=100', {}, ADMIN);
    expect((await won.json<{ data: Dispute[] }>()).data.map((d) => d.id)).not.toContain(first.disputeId);
    expect((await call('/api/v1/payments/disputes/dp_nothing', {}, ADMIN)).status).toBe(404);
  });

  it('refuses members, bad input, unknown and unpaid payments without changing anything', async () => {
    const payment = await paidPayment();
    expect((await call('/api/v1/payments/disputes', {}, ALICE)).status).toBe(403);
    expect((await call('/api/v1/payments/disputes/sandbox', { json: { paymentId: payment.id } }, ALICE)).status).toBe(
      403,
    );
    for (const body of [{}, { paymentId: payment.id, amount: -1 }, { paymentId: payment.id, reason: 'bored' }]) {
      expect((await open(body)).status).toBe(400);
    }
    expect((await open({ paymentId: payment.id, amount: 2001 })).status).toBe(400);
    expect((await open({ paymentId: 'pay_nothing' })).status).toBe(404);
    const unpaid = await createPayment();
    expect((await open({ paymentId: unpaid.id })).status).toBe(409);
    expect(await movementKinds(payment.id)).toEqual(['capture']);
    expect((await close('dp_nothing', 'won')).status).toBe(404);
  });
});

describe('sandbox disputes outside the local environment', () => {
  it('are not found: the sandbox opens and closes nothing there', async () => {
    const payment = await paidPayment();
    const { disputeId } = await disputed();
    const staging = { ...env, ENVIRONMENT: 'staging' };
    await expect(openDispute(staging, ADMIN, { paymentId: payment.id, reason: 'fraudulent' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(closeDispute(staging, disputeId, 'won')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await movementKinds(payment.id)).toEqual(['capture']);
  });
});

describe('dispute events', () => {
  async function base(): Promise<{ paymentId: string; dispute: ProviderDispute }> {
    const payment = await paidPayment();
    return {
      paymentId: payment.id,
      dispute: {
        providerId: `sbx_dp_${crypto.randomUUID()}`,
        paymentProviderId: await providerIdOf(payment.id),
        amount: 2000,
        currency: 'usd',
        reason: 'fraudulent',
        status: 'needs_response',
        fee: 1500,
        fundsWithdrawn: true,
        fundsReinstated: false,
        updatedAt: Date.now(),
      },
    };
  }

  it('applies one dispute event delivered five times in parallel once', async () => {
    const { paymentId, dispute } = await base();
    const eventId = await storeDisputeEvent('charge.dispute.funds_withdrawn', dispute);
    await Promise.all([1, 2, 3, 4, 5].map(() => deliver([eventId])));
    await deliver([eventId]);
    expect(await eventStatus(eventId)).toBe('applied');
    expect(await movementKinds(paymentId)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('records the withdrawal once when two events of a new dispute race', async () => {
    const { paymentId, dispute } = await base();
    const created = await storeDisputeEvent('charge.dispute.created', dispute);
    const withdrawn = await storeDisputeEvent('charge.dispute.funds_withdrawn', dispute);
    await Promise.all([deliver([created]), deliver([withdrawn])]);
    await deliver([created, withdrawn]);
    expect([await eventStatus(created), await eventStatus(withdrawn)].sort()).toEqual(['applied', 'ignored']);
    expect(await movementKinds(paymentId)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('never moves a dispute back: an older state is ignored, a closed dispute stays closed', async () => {
    const { paymentId, dispute } = await base();
    const lost = await storeDisputeEvent('charge.dispute.closed', { ...dispute, status: 'lost' });
    await deliver([lost]);
    const older = await storeDisputeEvent('charge.dispute.created', {
      ...dispute,
      updatedAt: dispute.updatedAt - 5000,
    });
    const reopened = await storeDisputeEvent('charge.dispute.updated', {
      ...dispute,
      updatedAt: dispute.updatedAt + 5000,
    });
    await deliver([older, reopened]);
    expect([await eventStatus(lost), await eventStatus(older), await eventStatus(reopened)]).toEqual([
      'applied',
      'ignored',
      'ignored',
    ]);
    expect(await movementKinds(paymentId)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('keeps the fee when the creation, which does not show it yet, arrives after the withdrawal', async () => {
    const { paymentId, dispute } = await base();
    const withdrawn = await storeDisputeEvent('charge.dispute.funds_withdrawn', dispute);
    await deliver([withdrawn]);
    const created = await storeDisputeEvent('charge.dispute.created', { ...dispute, fee: 0, fundsWithdrawn: false });
    await deliver([created]);
    expect(await eventStatus(created)).toBe('ignored');
    const [row] = await dbOf(env.DB).select().from(disputes).where(eq(disputes.paymentId, paymentId));
    expect(row).toMatchObject({ fee: 1500, status: 'needs_response' });
    expect(await movementKinds(paymentId)).toEqual(['capture', 'dispute', 'fee']);
  });

  it('retries the event of a dispute whose payment is not recorded', async () => {
    const { dispute } = await base();
    const eventId = await storeDisputeEvent('charge.dispute.created', { ...dispute, paymentProviderId: 'sbx_pi_none' });
    const result = await deliver([eventId]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await eventStatus(eventId)).toBe('pending');
  });
});
