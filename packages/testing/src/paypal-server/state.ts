/// <reference types="node" />
import { randomBytes } from 'node:crypto';
import type { PayPalAnswer } from './errors.js';
import type {
  PayPalApproval,
  PayPalScriptedAnswer,
  PayPalTestEvent,
  PayPalWebhookDelivery,
  PayPalWebhookEndpoint,
} from './types.js';
import { deliverEvent } from './webhooks.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A PayPal-looking id: 17 upper-case letters and digits (`5O190127TN364715T`). */
export function paypalId(length = 17): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** PayPal's timestamps: ISO 8601 to the second (`2026-12-06T00:10:02Z`). */
export const isoNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An amount as PayPal writes it. */
export interface Money {
  currency_code: string;
  value: string;
}

/** Any PayPal object as the server keeps it: its wire form, changed in place as it moves. */
export type WireObject = Record<string, unknown> & { id: string; status: string; update_time: string };

/** An order, with what the server needs beside its wire form. */
export interface OrderRecord {
  order: WireObject & { intent: 'CAPTURE' | 'AUTHORIZE'; purchase_units: PurchaseUnit[] };
  /** What the buyer's approval set up for the capture. */
  approval: PayPalApproval | null;
}

/** The one purchase unit the platform sends, with the payments made against it. */
export interface PurchaseUnit extends Record<string, unknown> {
  amount: Money;
  payments?: { captures?: WireObject[]; authorizations?: WireObject[]; refunds?: WireObject[] };
}

/** What one client id (one test's PayPal "app") holds. */
export class Namespace {
  readonly orders = new Map<string, OrderRecord>();
  /** Captures, authorizations and refunds by id, each also listed under its order's purchase unit. */
  readonly captures = new Map<string, { capture: WireObject; record: OrderRecord; refunded: number }>();
  readonly authorizations = new Map<string, { authorization: WireObject; record: OrderRecord }>();
  readonly refunds = new Map<string, WireObject>();
  readonly events: PayPalTestEvent[] = [];
  /** `PayPal-Request-Id` → the request it was first used with and the answer it got. */
  readonly idempotency = new Map<string, { fingerprint: string; answer: PayPalAnswer }>();
  readonly scripts: PayPalScriptedAnswer[] = [];
  readonly endpoints: PayPalWebhookEndpoint[] = [];
  readonly deliveries: PayPalWebhookDelivery[] = [];
  readonly sink: { headers: Record<string, string>; body: string }[] = [];
  /** How many access tokens `/v1/oauth2/token` issued to this client id. */
  tokensIssued = 0;

  constructor(
    /** Signs deliveries (see `webhooks.ts`): the server's own key. */
    readonly signingKey: Buffer,
    /** The server's origin, for links and the cert URL. */
    readonly origin: () => string,
  ) {}

  /** Records the event PayPal would send for a state change, with a snapshot of the resource as it now stands. */
  recordEvent(type: string, resourceType: string, resource: WireObject, summary: string): PayPalTestEvent {
    const id = `WH-${paypalId(17)}-${paypalId(17)}`;
    const event: PayPalTestEvent = {
      id,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: type,
      summary,
      resource: structuredClone(resource),
      links: [{ href: `${this.origin()}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' }],
    };
    this.events.push(event);
    // PayPal answers the API call first and delivers later: the delivery runs on its own.
    if (this.endpoints.length > 0) {
      void deliverEvent(event, [...this.endpoints], this.deliveries, this.signingKey, this.origin());
    }
    return event;
  }
}

/** All namespaces of one server by client id, the access tokens it issued, and where each order lives. */
export class ServerState {
  private readonly namespaces = new Map<string, Namespace>();
  readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  /** Order id → client id: the approval page knows only the order. */
  readonly orderOwners = new Map<string, string>();
  readonly signingKey = randomBytes(32);
  origin = 'http://127.0.0.1';

  get(clientId: string): Namespace {
    let ns = this.namespaces.get(clientId);
    if (!ns) {
      ns = new Namespace(this.signingKey, () => this.origin);
      this.namespaces.set(clientId, ns);
    }
    return ns;
  }

  /** Every token of `clientId` expires now: the next API call with one is a 401. */
  expireTokens(clientId: string): void {
    for (const token of this.tokens.values()) if (token.clientId === clientId) token.expiresAt = 0;
  }

  reset(clientId?: string): void {
    if (clientId === undefined) this.namespaces.clear();
    else this.namespaces.delete(clientId);
  }
}
