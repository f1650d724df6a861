import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { ledgerTransactions, providerEvents, refunds } from '../src/db/schema.js';
import type { PaymentProvider, ProviderRefund } from '../src/providers/provider.js';
import { SandboxProvider } from '../src/providers/sandbox.js';
import { createRefund } from '../src/services/create-refund.js';
import { deliver, storeEvent } from './event-helpers.js';
import { ALICE, checkLedgerAfterEach, getPayment, paidPayment } from './helpers.js';

checkLedgerAfterEach();

const db = dbOf(env.DB);

/** The sandbox, except that its refunds stay `pending` at first, as a bank refund at Stripe may. */
function slowRefunds(): PaymentProvider {
  return Object.assign(Object.create(new SandboxProvider(env)) as PaymentProvider, {
    createRefund: async (_pi: string, amount: number, _reason: string | undefined, key: string) => ({
      ok: true as const,
      value: { providerId: `sbx_re_${key.replace(/\W/g, '')}`, status: 'pending' as const, amount, currency: 'usd' },
    }),
  });
}

/** A pending refund of 700 on a paid payment, and the provider's refund id. */
async function pendingRefund() {
  const payment = await paidPayment();
  const refund = await createRefund(env, slowRefunds(), ALICE, { paymentId: payment.id, amount: 700 });
  expect(refund).toMatchObject({ status: 'pending' });
  if (!refund.providerRefundId) throw new Error('no provider refund id');
  return { payment, refund, providerRefundId: refund.providerRefundId };
}

const refundEvent = (providerId: string, paymentProviderId: string, status: ProviderRefund['status']) =>
  storeEvent('refund.updated', undefined, { providerId, paymentProviderId, status, amount: 700, currency: 'usd' });

const refundMovements = async (paymentId: string) =>
  (await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, paymentId))).filter(
    (t) => t.kind === 'refund',
  );

describe('refund events', () => {
  it('settles a pending refund as succeeded once, however often its event arrives', async () => {
    const { payment, refund, providerRefundId } = await pendingRefund();
    expect(await refundMovements(payment.id)).toHaveLength(0);
    const eventId = await refundEvent(providerRefundId, 'sbx_pi_x', 'succeeded');
    await Promise.all([1, 2, 3].map(() => deliver([eventId])));
    await deliver([eventId]);
    const stored = await db.select().from(refunds).where(eq(refunds.id, refund.id)).get();
    expect(stored?.status).toBe('succeeded');
    expect(await refundMovements(payment.id)).toHaveLength(1);
    expect((await db.select().from(providerEvents).where(eq(providerEvents.id, eventId)).get())?.status).toBe(
      'applied',
    );
    const late = await refundEvent(providerRefundId, 'sbx_pi_x', 'failed');
    await deliver([late]);
    expect((await db.select().from(providerEvents).where(eq(providerEvents.id, late)).get())?.status).toBe('ignored');
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 700 });
  });

  it('releases the reservation of a pending refund the provider then fails', async () => {
    const { payment, refund, providerRefundId } = await pendingRefund();
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 700 });
    await deliver([await refundEvent(providerRefundId, 'sbx_pi_x', 'failed')]);
    expect((await db.select().from(refunds).where(eq(refunds.id, refund.id)).get())?.status).toBe('failed');
    expect(await getPayment(payment.id)).toMatchObject({ amountRefunded: 0 });
    expect(await refundMovements(payment.id)).toHaveLength(0);
  });

  it('retries a refund event that arrives before the refund is recorded', async () => {
    const eventId = await refundEvent('sbx_re_not_yet', 'sbx_pi_x', 'succeeded');
    const result = await deliver([eventId]);
    expect(result.retryMessages).toHaveLength(1);
  });
});
