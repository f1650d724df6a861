import { eventually } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invoices } from '../src/db/schema.js';
import type { ProviderInvoice } from '../src/providers/provider-billing.js';
import { apply, db, eventStatus, newMember, providerViewOf, storeBillingEvent, subscribe } from './billing-helpers.js';
import { deliver } from './event-helpers.js';
import { call, checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

interface InvoicePage {
  data: { id: string; status: string; attemptCount: number; amountPaid: number }[];
  nextCursor: string | null;
}

/** A subscribed member, and an invoice of their subscription as the provider would send it. */
async function renewal() {
  const member = await newMember();
  const subscription = await subscribe(member);
  // The sandbox's first invoice arrives as an event of its own.
  await eventually(async () => (await db.select().from(invoices).where(eq(invoices.userId, member.userId))).length > 0);
  const view = await providerViewOf(subscription.id);
  const invoice: ProviderInvoice = {
    providerId: `sbx_in_${crypto.randomUUID()}`,
    subscriptionProviderId: view.providerId,
    customerId: view.customerId,
    status: 'open',
    amountDue: 2000,
    amountPaid: 0,
    currency: 'usd',
    attemptCount: 1,
    periodStart: Date.now(),
    periodEnd: Date.now() + 30 * 86_400_000,
    updatedAt: Date.now(),
  };
  return { member, invoice };
}

const rowsOf = (providerInvoiceId: string) =>
  db.select().from(invoices).where(eq(invoices.providerInvoiceId, providerInvoiceId));

describe('invoice events', () => {
  it('upserts by provider id, and a late payment_failed never reopens a paid invoice', async () => {
    const { invoice } = await renewal();
    const t = Date.now();
    const failed = await storeBillingEvent('invoice.payment_failed', { invoice: { ...invoice, updatedAt: t } });
    const paid = await storeBillingEvent('invoice.paid', {
      invoice: {
        ...invoice,
        status: 'paid',
        amountPaid: 2000,
        attemptCount: 2,
        paymentProviderId: `sbx_pi_${crypto.randomUUID()}`,
        updatedAt: t + 1000,
      },
    });
    const late = await storeBillingEvent('invoice.payment_failed', {
      invoice: { ...invoice, attemptCount: 3, updatedAt: t + 2000 },
    });
    await apply(failed, paid, late);
    const rows = await rowsOf(invoice.providerId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'paid', amountPaid: 2000, attemptCount: 2 });
    expect(rows[0]?.paymentId).toMatch(/^pay_/);
    expect(await eventStatus(late)).toBe('ignored');
  });

  it('retries an invoice of a subscription not recorded yet', async () => {
    const { invoice } = await renewal();
    const orphan = await storeBillingEvent('invoice.paid', {
      invoice: { ...invoice, subscriptionProviderId: 'sbx_sub_not_yet', status: 'paid', amountPaid: 2000 },
    });
    const result = await deliver([orphan]);
    expect(result.retryMessages).toHaveLength(1);
    expect(await eventStatus(orphan)).toBe('pending');
    expect(await rowsOf(invoice.providerId)).toEqual([]);
  });
});

describe('GET /api/v1/payments/invoices', () => {
  it('pages the caller’s invoices newest first', async () => {
    const { member, invoice } = await renewal();
    for (const n of [1, 2]) {
      await apply(
        await storeBillingEvent('invoice.finalized', {
          invoice: { ...invoice, providerId: `${invoice.providerId}_${n}` },
        }),
      );
    }
    const first = await (await call('/api/v1/payments/invoices?limit=2', {}, member)).json<InvoicePage>();
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const rest = await call(`/api/v1/payments/invoices?limit=2&cursor=${first.nextCursor}`, {}, member);
    const second = await rest.json<InvoicePage>();
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.data, ...second.data].map((i) => i.id)).size).toBe(3);
  });

  it('refuses a malformed cursor with 400', async () => {
    const member = await newMember();
    expect((await call('/api/v1/payments/invoices?cursor=%%%', {}, member)).status).toBe(400);
  });
});
