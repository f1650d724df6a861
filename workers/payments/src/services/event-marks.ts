import { and, eq, inArray } from 'drizzle-orm';
import { type Db, dbOf } from '../db/client.js';
import { providerEvents } from '../db/schema.js';
import type { ProviderEvent } from '../providers/provider.js';

/** What became of an event: applied now, or settled before (or now) without changing anything. */
export type EventOutcome = 'applied' | 'ignored' | 'already-settled';

/** The statement that claims a pending event as `applied`, for the batch that applies it (0 rows if claimed). */
export function claimEvent(db: Db, id: string) {
  return db
    .update(providerEvents)
    .set({ status: 'applied', error: null, processedAt: new Date().toISOString() })
    .where(and(eq(providerEvents.id, id), eq(providerEvents.status, 'pending')));
}

/**
 * After the batch that claimed `id` failed on a race: `already-settled` when another delivery applied the event
 * meanwhile, else a thrown error, so that the queue retries the event against what changed (`what`).
 */
export async function settledElsewhere(db: Db, id: string, what: string): Promise<'already-settled'> {
  const again = await db
    .select({ status: providerEvents.status })
    .from(providerEvents)
    .where(eq(providerEvents.id, id))
    .get();
  if (again?.status !== 'pending') return 'already-settled';
  throw new Error(`${what} changed while event ${id} was applied; retrying`);
}

/** Settles a pending event without a batch of its own: `ignored` (with why) or `applied`. */
export async function markEvent(db: Db, id: string, status: 'ignored' | 'applied', error: string | null) {
  await db
    .update(providerEvents)
    .set({ status, error, processedAt: new Date().toISOString() })
    .where(and(eq(providerEvents.id, id), eq(providerEvents.status, 'pending')));
}

/** Why the DLQ marks an event `failed` when no attempt noted an error. */
export const GAVE_UP = 'gave up after the queue retries';

/**
 * The DLQ's end of an event: `failed`, with the last error the consumer saw (reconciliation repairs it later). Only a
 * `pending` event changes, so a redelivered DLQ message, or one for an event applied meanwhile, changes nothing.
 */
export async function failEvent(env: { DB: D1Database }, eventId: string): Promise<void> {
  const db = dbOf(env.DB);
  const stored = await db
    .select({ error: providerEvents.error })
    .from(providerEvents)
    .where(eq(providerEvents.id, eventId))
    .get();
  await db
    .update(providerEvents)
    .set({
      status: 'failed',
      error: stored?.error ?? GAVE_UP,
      processedAt: new Date().toISOString(),
    })
    .where(and(eq(providerEvents.id, eventId), eq(providerEvents.status, 'pending')));
}

/** Notes why applying an event failed, for the DLQ to keep; each failed attempt overwrites the last note. */
export async function noteEventError(env: { DB: D1Database }, eventId: string, error: string): Promise<void> {
  await dbOf(env.DB)
    .update(providerEvents)
    .set({ error: error.slice(0, 1000) })
    .where(and(eq(providerEvents.id, eventId), eq(providerEvents.status, 'pending')));
}

/** The stored events among `ids` (at most 90: D1 binds 100 values) that are still `pending`, by id. One query. */
export async function pendingEvents(db: Db, ids: string[]): Promise<Map<string, ProviderEvent>> {
  const rows = await db
    .select({ id: providerEvents.id, payload: providerEvents.payload })
    .from(providerEvents)
    .where(and(inArray(providerEvents.id, ids), eq(providerEvents.status, 'pending')));
  return new Map(rows.map((r) => [r.id, r.payload as ProviderEvent]));
}

/**
 * `markEvent(…, 'ignored', why)` for many events in one statement. Only `pending` ones change, so an event settled
 * meanwhile by another delivery keeps what that delivery recorded.
 */
export async function ignoreEvents(db: Db, ids: string[], why: string): Promise<void> {
  await db
    .update(providerEvents)
    .set({ status: 'ignored', error: why, processedAt: new Date().toISOString() })
    .where(and(inArray(providerEvents.id, ids), eq(providerEvents.status, 'pending')));
}

/**
 * Stores events the queue carried (`acceptEvent`), in one D1 batch: each as `pending`, or at once as `ignored` when
 * the platform does not act on its type (`why`), or as `failed` (the DLQ's end). An event stored before keeps its
 * first copy and its status.
 */
export async function storeEvents(
  db: Db,
  events: { event: ProviderEvent; receivedAt?: string }[],
  statusOf: (event: ProviderEvent) => { status: 'pending' | 'ignored' | 'failed'; error: string | null },
): Promise<void> {
  const processedAt = new Date().toISOString();
  const [first, ...rest] = events.map(({ event, receivedAt }) => {
    const { status, error } = statusOf(event);
    return db
      .insert(providerEvents)
      .values({
        id: event.id,
        type: event.type,
        provider: event.provider,
        payload: event,
        status,
        error,
        processedAt: status === 'pending' ? null : processedAt,
        ...(receivedAt !== undefined && { receivedAt }),
      })
      .onConflictDoNothing();
  });
  if (first !== undefined) await db.batch([first, ...rest]);
}
