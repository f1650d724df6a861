import { and, desc, eq, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { afterPosition } from '../db/after-position.js';
import type { Db } from '../db/client.js';
import { deliveries } from '../db/schema.js';

/** A delivery row as stored. */
export type DeliveryRow = typeof deliveries.$inferSelect;

/** Where a delivery is; `delivered` and `bounced` come from the provider's webhooks. */
type DeliveryStatus = DeliveryRow['status'];

/**
 * Whether the API may show a delivery's rendered message. A security message (verification and reset links, codes)
 * only as the local mail catcher: caught by the sandbox, which runs only where `ENVIRONMENT` is `local`. Anywhere
 * else, and in every other state, it is hidden even while still stored (queued, sending); other messages show what
 * is stored (a real provider's deliveries are cleared once sent).
 */
function showsBody(r: Pick<DeliveryRow, 'category' | 'provider' | 'status'>, environment?: string): boolean {
  if (r.category !== 'security') return true;
  return environment === 'local' && r.provider === 'sandbox' && r.status === 'sent';
}

// Raw SQL: a value that depends on the row's own category; drizzle has no CASE expression.
const unlessSecurity = (column: SQLiteColumn) =>
  sql`CASE WHEN ${deliveries.category} = 'security' THEN NULL ELSE ${column} END`;

/**
 * SET items that clear what a security delivery carries (rendered links and codes, the variables behind them), for
 * every UPDATE that makes a delivery final: failed, dead-lettered, sent, delivered, bounced. Other categories keep
 * theirs until sent (a failed one can be inspected and re-sent).
 */
export const ERASE_IF_SECURITY = {
  subject: unlessSecurity(deliveries.subject),
  bodyText: unlessSecurity(deliveries.bodyText),
  bodyHtml: unlessSecurity(deliveries.bodyHtml),
  data: unlessSecurity(deliveries.data),
  headers: unlessSecurity(deliveries.headers),
};

/** A delivery as the API shows it; see `showsBody` for when the rendered message is included. */
export function deliveryView(r: DeliveryRow, environment?: string) {
  const body = showsBody(r, environment);
  return {
    id: r.id,
    recipient: r.recipient,
    address: r.address,
    channel: r.channel,
    template: r.template,
    templateVersion: r.templateVersion,
    locale: r.locale,
    category: r.category,
    status: r.status,
    provider: r.provider,
    providerMessageId: r.providerMessageId,
    error: r.error,
    attempts: r.attempts,
    idempotencyKey: r.idempotencyKey,
    subject: body ? r.subject : null,
    bodyText: body ? r.bodyText : null,
    bodyHtml: body ? r.bodyHtml : null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    sentAt: r.sentAt,
  };
}

/** A delivery as the API shows it. */
export type DeliveryView = ReturnType<typeof deliveryView>;

/** The queue message that asks for one delivery row to be sent. */
export interface DeliveryMessage {
  kind: 'delivery';
  deliveryId: string;
}

const FILTERED = ['recipient', 'address', 'channel', 'status', 'template'] as const;

/** Filters of the admin delivery log; each names a column. */
interface DeliveryFilter {
  recipient?: string;
  address?: string;
  channel?: DeliveryRow['channel'];
  status?: DeliveryStatus;
  template?: string;
}

/** Deliveries newest first matching `filter`, after a list cursor, one more than `limit` to tell if more exist. */
export function listDeliveries(
  db: Db,
  filter: DeliveryFilter,
  cursor: string | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const matches = FILTERED.map((column) => {
    const value = filter[column];
    return value === undefined ? undefined : eq(deliveries[column], value);
  });
  return db
    .select()
    .from(deliveries)
    .where(and(...matches, afterPosition(deliveries, cursor)))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit + 1);
}

/** One delivery, or null. */
export async function findDelivery(db: Db, id: string): Promise<DeliveryRow | null> {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.id, id));
  return row ?? null;
}
