/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import type { StripeAnswer } from './errors.js';
import type { StripeScriptedAnswer, StripeTestEvent, StripeWebhookDelivery } from './types.js';
import { deliverEvent, type WebhookEndpoint } from './webhooks.js';

/** The API version the server writes into events; the SDK pins the same. */
export const API_VERSION = '2026-10-28.endive';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A Stripe-looking id: the prefix, then 24 random characters. */
export function stripeId(prefix: string): string {
  return `${prefix}_${[...randomBytes(24)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/** Seconds since the epoch, as Stripe writes `created`. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A PaymentIntent as the server keeps it: the wire object, plus what confirming chose. */
export type PaymentIntentObject = Record<string, unknown> & {
  id: string;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  customer: string | null;
  payment_method: string | null;
  latest_charge: string | null;
};

export type RefundObject = Record<string, unknown> & {
  id: string;
  amount: number;
  payment_intent: string;
  charge: string;
  status: string;
};

/** Any other Stripe object as the server keeps it: its wire form. */
export type WireObject = Record<string, unknown> & { id: string };

/** The request that caused a state change, as Stripe names it in the event's `request`. */
export interface RequestInfo {
  id: string;
  idempotencyKey: string | null;
}

/** What one secret key (one test's "account") holds. */
export class Namespace {
  /** In creation order; lists answer newest first. */
  readonly intents = new Map<string, PaymentIntentObject>();
  readonly refunds = new Map<string, RefundObject>();
  /** Billing objects (customers, checkout sessions, subscriptions, invoices) and disputes, as wire objects. */
  readonly customers = new Map<string, WireObject>();
  readonly checkoutSessions = new Map<string, WireObject>();
  readonly subscriptions = new Map<string, WireObject>();
  readonly invoices = new Map<string, WireObject>();
  readonly disputes = new Map<string, WireObject>();
  readonly events: StripeTestEvent[] = [];
  /** Idempotency key → the request it was first used with and the answer it got. */
  readonly idempotency = new Map<string, { fingerprint: string; answer: StripeAnswer }>();
  readonly scripts: StripeScriptedAnswer[] = [];
  /** Where events are posted, signed, as they happen (none by default: tests usually sign events themselves). */
  readonly endpoints: WebhookEndpoint[] = [];
  readonly deliveries: StripeWebhookDelivery[] = [];
  /** What was posted to `/__sink`: a request bin to check deliveries with. */
  readonly sink: { headers: Record<string, string>; body: string }[] = [];

  /** Records the event Stripe would send for a state change, with a snapshot of the object as it now stands. */
  recordEvent(type: string, object: Record<string, unknown>, request: RequestInfo | null): StripeTestEvent {
    const event: StripeTestEvent = {
      id: stripeId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: nowSeconds(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: request?.id ?? null, idempotency_key: request?.idempotencyKey ?? null },
      type,
      data: { object: structuredClone(object) },
    };
    this.events.push(event);
    // Stripe answers the API call first and delivers later: the delivery runs on its own.
    if (this.endpoints.length > 0) void deliverEvent(event, [...this.endpoints], this.deliveries);
    return event;
  }
}

/** All namespaces of one server, by secret key. */
export class ServerState {
  private readonly namespaces = new Map<string, Namespace>();

  get(key: string): Namespace {
    let ns = this.namespaces.get(key);
    if (!ns) {
      ns = new Namespace();
      this.namespaces.set(key, ns);
    }
    return ns;
  }

  reset(key?: string): void {
    if (key === undefined) this.namespaces.clear();
    else this.namespaces.delete(key);
  }
}
