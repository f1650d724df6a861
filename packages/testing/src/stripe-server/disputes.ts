import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field } from './form.js';
import { listPage } from './list.js';
import type { StripeRequest } from './router.js';
import {
  type Namespace,
  nowSeconds,
  type PaymentIntentObject,
  type RequestInfo,
  stripeId,
  type WireObject,
} from './state.js';

/** Stripe's test payment method whose payment succeeds and is then disputed as fraudulent. */
export const CREATE_DISPUTE_PAYMENT_METHOD = 'pm_card_createDispute';

/** Stripe's dispute fee for usd (the server charges it in every currency). */
export const DISPUTE_FEE = 1500;

/** Stripe's test evidence: this text in `evidence[uncategorized_text]` wins the dispute, the other loses it. */
const WINNING = 'winning_evidence';
const LOSING = 'losing_evidence';

const CLOSED = new Set(['won', 'lost', 'warning_closed']);

/** A balance transaction of a dispute: the withdrawal (negative, with the fee) or the reinstatement. */
function balanceTransaction(dispute: WireObject, amount: number, fee: number, category: string): WireObject {
  return {
    id: stripeId('txn'),
    object: 'balance_transaction',
    amount,
    currency: dispute.currency,
    fee,
    net: amount - fee,
    reporting_category: category,
    type: 'adjustment',
    status: 'available',
    created: nowSeconds(),
  };
}

const transactionsOf = (dispute: WireObject) => dispute.balance_transactions as WireObject[];

/**
 * The cardholder disputes a succeeded payment, as with Stripe's `pm_card_createDispute`: a `fraudulent` dispute of
 * the whole amount, `needs_response`, whose amount and fee are withdrawn at once (`charge.dispute.created`, then
 * `charge.dispute.funds_withdrawn`).
 */
export function createDispute(ns: Namespace, pi: PaymentIntentObject, request: RequestInfo | null): WireObject {
  const dispute: WireObject = {
    id: stripeId('dp'),
    object: 'dispute',
    amount: pi.amount_received,
    balance_transactions: [],
    charge: pi.latest_charge,
    created: nowSeconds(),
    currency: pi.currency,
    evidence: { uncategorized_text: null },
    evidence_details: {
      due_by: nowSeconds() + 7 * 24 * 3600,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: pi.id,
    reason: 'fraudulent',
    status: 'needs_response',
  };
  ns.disputes.set(dispute.id, dispute);
  ns.recordEvent('charge.dispute.created', dispute, request);
  transactionsOf(dispute).push(balanceTransaction(dispute, -pi.amount_received, DISPUTE_FEE, 'dispute'));
  ns.recordEvent('charge.dispute.funds_withdrawn', dispute, request);
  return dispute;
}

/** Evidence submitted: Stripe's test texts decide the dispute at once (won: the amount comes back, not the fee). */
function update(ns: Namespace, dispute: WireObject, form: Form, request: RequestInfo): StripeAnswer {
  if (CLOSED.has(String(dispute.status))) {
    return invalidRequest(`This dispute is already closed (status ${dispute.status}).`);
  }
  const evidence = form.evidence;
  const text = typeof evidence === 'object' ? field(evidence, 'uncategorized_text') : undefined;
  if (text !== undefined) dispute.evidence = { uncategorized_text: text };
  if (text === WINNING) {
    dispute.status = 'won';
    transactionsOf(dispute).push(balanceTransaction(dispute, Number(dispute.amount), 0, 'dispute_reversal'));
    ns.recordEvent('charge.dispute.funds_reinstated', dispute, request);
    ns.recordEvent('charge.dispute.closed', dispute, request);
  } else if (text === LOSING) {
    dispute.status = 'lost';
    ns.recordEvent('charge.dispute.closed', dispute, request);
  } else {
    dispute.status = 'under_review';
    ns.recordEvent('charge.dispute.updated', dispute, request);
  }
  return ok(dispute);
}

/** Disputes: list, retrieve, update (evidence) and close (accept the loss); undefined for a path it does not serve. */
export function disputeRoute(
  req: StripeRequest,
  ns: Namespace,
  form: Form,
  info: RequestInfo,
): StripeAnswer | undefined {
  const { method, path } = req;
  if (method === 'GET' && path === '/v1/disputes') {
    const query = new URLSearchParams(req.query);
    const pi = query.get('payment_intent');
    const all = [...ns.disputes.values()].reverse().filter((d) => !pi || d.payment_intent === pi);
    return listPage(all, Object.fromEntries(query), '/v1/disputes', 'dispute');
  }
  const match = /^\/v1\/disputes\/([^/]+)(\/close)?$/.exec(path);
  const id = match?.[1];
  if (!id) return undefined;
  const dispute = ns.disputes.get(id);
  if (!dispute) return missing('dispute', id);
  if (method === 'GET' && !match[2]) return ok(dispute);
  if (method === 'POST' && !match[2]) return update(ns, dispute, form, info);
  if (method === 'POST' && match[2]) {
    if (CLOSED.has(String(dispute.status))) return invalidRequest(`This dispute is already closed.`);
    dispute.status = 'lost';
    ns.recordEvent('charge.dispute.closed', dispute, info);
    return ok(dispute);
  }
  return undefined;
}
