import type { Channel } from '@onasis/contracts';

/** Where a delivery is; `delivered` and `bounced` come from the provider's webhooks. */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'bounced';

/** A delivery row as D1 returns it. */
export interface DeliveryRow {
  id: string;
  idempotency_key: string;
  recipient: string;
  channel: Channel;
  template: string;
  status: DeliveryStatus;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  data: string | null;
  category: string | null;
  created_at: string;
  updated_at: string | null;
  address: string | null;
  push_target_id: string | null;
  request_key: string | null;
  template_version: number | null;
  locale: string | null;
  subject: string | null;
  body_text: string | null;
  body_html: string | null;
  headers: string | null;
  attempts: number;
  lease_until: string | null;
  sent_at: string | null;
  enqueued_at: string | null;
}

/**
 * Whether the API may show a delivery's rendered message. A security message (verification and reset links, codes)
 * only as the local mail catcher: caught by the sandbox, which runs only where `ENVIRONMENT` is `local`. Anywhere
 * else, and in every other state, it is hidden even while still stored (queued, sending); other messages show what
 * is stored (a real provider's deliveries are cleared once sent).
 */
export function showsBody(r: Pick<DeliveryRow, 'category' | 'provider' | 'status'>, environment?: string): boolean {
  if (r.category !== 'security') return true;
  return environment === 'local' && r.provider === 'sandbox' && r.status === 'sent';
}

/**
 * SET items that clear what a security delivery carries (rendered links and codes, the variables behind them), for
 * every UPDATE that makes a delivery final: failed, dead-lettered, sent, delivered, bounced. Other categories keep
 * theirs until sent (a failed one can be inspected and re-sent).
 */
export const ERASE_IF_SECURITY = ['subject', 'body_text', 'body_html', 'data', 'headers']
  .map((column) => `${column} = CASE WHEN category = 'security' THEN NULL ELSE ${column} END`)
  .join(', ');

/** A delivery as the API shows it; see `showsBody` for when the rendered message is included. */
export function deliveryView(r: DeliveryRow, environment?: string) {
  const body = showsBody(r, environment);
  return {
    id: r.id,
    recipient: r.recipient,
    address: r.address,
    channel: r.channel,
    template: r.template,
    templateVersion: r.template_version,
    locale: r.locale,
    category: r.category,
    status: r.status,
    provider: r.provider,
    providerMessageId: r.provider_message_id,
    error: r.error,
    attempts: r.attempts,
    idempotencyKey: r.idempotency_key,
    subject: body ? r.subject : null,
    bodyText: body ? r.body_text : null,
    bodyHtml: body ? r.body_html : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
  };
}

/** A delivery as the API shows it. */
export type DeliveryView = ReturnType<typeof deliveryView>;

/** The queue message that asks for one delivery row to be sent. */
export interface DeliveryMessage {
  kind: 'delivery';
  deliveryId: string;
}

/** Filters of the admin delivery log; each names a column. */
export interface DeliveryFilter {
  recipient?: string;
  address?: string;
  channel?: Channel;
  status?: DeliveryStatus;
  template?: string;
}

/** Deliveries newest first matching `filter`, after a cursor position, one more than `limit` to tell if more exist. */
export async function listDeliveries(
  db: D1Database,
  filter: DeliveryFilter,
  after: { sql: string; args: string[] },
  limit: number,
): Promise<DeliveryRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    where.push(` AND ${column} = ?`);
    args.push(value);
  }
  const { results } = await db
    .prepare(
      `SELECT * FROM deliveries WHERE 1 = 1${where.join('')}${after.sql} ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(...args, ...after.args, limit + 1)
    .all<DeliveryRow>();
  return results;
}

/** One delivery, or null. */
export function findDelivery(db: D1Database, id: string): Promise<DeliveryRow | null> {
  return db.prepare('SELECT * FROM deliveries WHERE id = ?').bind(id).first<DeliveryRow>();
}
