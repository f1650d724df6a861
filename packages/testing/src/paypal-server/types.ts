// Shapes shared by the local PayPal server (Node) and the tests that drive it (workerd): no Node imports here.

/** An answer queued with `POST /__script`: it replaces the server's answer to the next API call of the namespace. */
export interface PayPalScriptedAnswer {
  status: number;
  /** A PayPal error object by default (`INTERNAL_SERVICE_ERROR` for 5xx). */
  body?: unknown;
  headers?: Record<string, string>;
  /** The call is carried out first and this answer replaces PayPal's: a reply lost on its way back. */
  afterHandling?: boolean;
  /** Only a call whose path ends with this takes the answer (e.g. `/capture`); others pass it by. */
  path?: string;
}

/** What the buyer's approval sets up for the order's capture (`POST /__approve/{orderId}`). */
export interface PayPalApproval {
  /** The capture is DECLINED (the funding source refused it). */
  decline?: boolean;
  /** The capture stays PENDING (e.g. an eCheck) until `POST /__settle`. */
  pending?: boolean;
}

/** A webhook event as PayPal posts it (`WH-…`). */
export interface PayPalTestEvent {
  id: string;
  event_version: string;
  create_time: string;
  resource_type: string;
  resource_version: string;
  event_type: string;
  summary: string;
  resource: Record<string, unknown>;
  links: { href: string; rel: string; method: string }[];
}

/** A webhook registered with `POST /__webhook-endpoints`: every later event is signed for `webhookId` and posted. */
export interface PayPalWebhookEndpoint {
  url: string;
  /** The webhook's id at PayPal, the platform's `PAYPAL_WEBHOOK_ID`. */
  webhookId: string;
}

/** One attempt of the server to deliver an event to a registered webhook (`status` 0: no connection). */
export interface PayPalWebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  status: number;
}

/** A delivery as PayPal sends it: the exact body and the `PAYPAL-*` transmission headers. */
export interface PayPalSignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** `POST /__sign`: signs `event` for `webhookId` as a delivery of this server (at `transmissionTime`, ISO 8601). */
export interface PayPalSignRequest {
  webhookId: string;
  event: unknown;
  transmissionTime?: string;
}

/** `POST /__settle`: a PENDING capture completes or is denied. */
export interface PayPalSettle {
  captureId: string;
  outcome?: 'complete' | 'deny';
}
