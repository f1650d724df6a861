import { env } from 'cloudflare:workers';
import { stripeNamespace } from '@onasis/testing/stripe-server/client';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeClient, stripeEventOf } from '../src/providers/stripe.js';
import { checkLedgerAfterEach } from './helpers.js';

checkLedgerAfterEach();

/** A payment disputed on the local Stripe server with Stripe's `pm_card_createDispute`, through the real SDK. */
async function disputedPayment() {
  const ns = stripeNamespace(env.TEST_STRIPE_SERVER_URL);
  const { secretKey, host, port, protocol } = ns;
  const stripe = stripeClient({ secretKey, host, port, protocol });
  const pi = await stripe.paymentIntents.create({
    amount: 2000,
    currency: 'usd',
    payment_method: 'pm_card_createDispute',
    confirm: true,
  });
  const mapped = async () => (await ns.events()).map((e) => stripeEventOf(e as unknown as Stripe.Event));
  return { ns, stripe, pi, mapped };
}

describe('Stripe disputes', () => {
  it('maps charge.dispute.created and funds_withdrawn to the dispute, its payment and the 1500 fee', async () => {
    const { pi, mapped } = await disputedPayment();
    expect(pi.status).toBe('succeeded');
    const events = (await mapped()).filter((e) => e.dispute);
    expect(events.map((e) => [e.type, e.dispute?.fundsWithdrawn, e.dispute?.fee])).toEqual([
      ['charge.dispute.created', false, 0],
      ['charge.dispute.funds_withdrawn', true, 1500],
    ]);
    expect(events[1]?.dispute).toMatchObject({
      paymentProviderId: pi.id,
      amount: 2000,
      currency: 'usd',
      reason: 'fraudulent',
      status: 'needs_response',
      fundsReinstated: false,
    });
    expect(events[1]?.dispute?.evidenceDueBy).toBeGreaterThan(Date.now());
  });

  it('maps a won dispute to funds reinstated and a lost one to lost', async () => {
    const won = await disputedPayment();
    const [dispute] = (await won.stripe.disputes.list({ payment_intent: won.pi.id })).data;
    if (!dispute) throw new Error('no dispute');
    await won.stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence' } });
    const closed = (await won.mapped()).find((e) => e.type === 'charge.dispute.closed');
    expect(closed?.dispute).toMatchObject({ status: 'won', fundsWithdrawn: true, fundsReinstated: true, fee: 1500 });

    const lost = await disputedPayment();
    const [other] = (await lost.stripe.disputes.list({ payment_intent: lost.pi.id })).data;
    if (!other) throw new Error('no dispute');
    expect((await lost.stripe.disputes.close(other.id)).status).toBe('lost');
    const lostEvent = (await lost.mapped()).find((e) => e.type === 'charge.dispute.closed');
    expect(lostEvent?.dispute).toMatchObject({ status: 'lost', fundsWithdrawn: true, fundsReinstated: false });
  });

  it('leaves other charge events without a dispute', () => {
    const event = {
      id: 'evt_1',
      type: 'charge.succeeded',
      created: 1,
      data: { object: { id: 'ch_1', object: 'charge' } },
    };
    expect(stripeEventOf(event as unknown as Stripe.Event).dispute).toBeUndefined();
  });
});
