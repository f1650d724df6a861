import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { deliveries } from '../db/schema.js';
import type { DeliveryRow } from './deliveries.js';
import { isoNow } from './iso-time.js';

/** How long a claimed delivery stays claimed; after that a crashed attempt's delivery may be tried again. */
const LEASE_SECONDS = 300;

/**
 * Claims a queued delivery (or one whose claim expired), so that of two copies of its message only one sends.
 * Null when there is nothing to do; `busy` with the seconds left when another attempt holds a live claim.
 */
export async function claimDelivery(
  db: Db,
  id: string,
  now: number,
): Promise<DeliveryRow | { busySeconds: number } | null> {
  const [row] = await db
    .update(deliveries)
    .set({
      status: 'sending',
      attempts: sql`${deliveries.attempts} + 1`,
      leaseUntil: isoNow(now + LEASE_SECONDS * 1000),
      updatedAt: isoNow(now),
    })
    .where(
      and(
        eq(deliveries.id, id),
        or(
          eq(deliveries.status, 'queued'),
          and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, isoNow(now))),
        ),
      ),
    )
    .returning();
  if (row) return row;
  const [current] = await db
    .select({ status: deliveries.status, leaseUntil: deliveries.leaseUntil })
    .from(deliveries)
    .where(eq(deliveries.id, id));
  if (current?.status === 'sending' && current.leaseUntil) {
    return { busySeconds: Math.max(1, Math.ceil((Date.parse(current.leaseUntil) - now) / 1000)) };
  }
  return null;
}

/** Ends this attempt's claim with `sets`; a row whose claim was lost meanwhile (no longer `sending`) is left alone. */
export async function finishAttempt(
  db: Db,
  id: string,
  now: number,
  sets: SQLiteUpdateSetSource<typeof deliveries>,
): Promise<void> {
  await db
    .update(deliveries)
    .set({ ...sets, leaseUntil: null, updatedAt: isoNow(now) })
    .where(and(eq(deliveries.id, id), eq(deliveries.status, 'sending')));
}
