import { env } from 'cloudflare:workers';
import { eventually } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { dbOf } from '../src/db/client.js';
import { ledgerTransactions, paymentIntents, providerEvents } from '../src/db/schema.js';
import type { ProviderEvent } from '../src/providers/provider.js';
import type { ProviderDispute } from '../src/providers/provider-disputes.js';
import { ADMIN, call } from './helpers.js';

const db = dbOf(env.DB);

/** A dispute as the API answers it. */
export interface Dispute {
  id: string;
  paymentId: string;
  status: string;
  amount: number;
  fee: number;
  reason: string;
}

/** The kinds of the ledger movements of a payment, sorted. */
export async function movementKinds(paymentId: string): Promise<string[]> {
  const rows = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.paymentId, paymentId));
  return rows.map((r) => r.kind).sort();
}

/** Waits until the dispute exists with `status` (sandbox events are applied by the queue consumer). */
export function waitForDispute(id: string, status: string): Promise<Dispute> {
  let last = '';
  return eventually(
    async () => {
      const res = await call(`/api/v1/payments/disputes/${id}`, {}, ADMIN);
      if (res.status !== 200) return null;
      const dispute = await res.json<Dispute>();
      last = dispute.status;
      return dispute.status === status ? dispute : null;
    },
    { timeoutMs: 15_000, failure: () => `dispute ${id} is ${last || 'missing'}, not ${status}` },
  );
}

/** The provider id of a recorded payment. */
export async function providerIdOf(paymentId: string): Promise<string> {
  const row = await db.select().from(paymentIntents).where(eq(paymentIntents.id, paymentId)).get();
  if (!row?.providerIntentId) throw new Error(`no provider id for ${paymentId}`);
  return row.providerIntentId;
}

/** Stores a sandbox dispute event without queueing it: the test delivers it itself. */
export async function storeDisputeEvent(type: string, dispute: ProviderDispute): Promise<string> {
  const event: ProviderEvent = {
    id: `sbx_evt_${crypto.randomUUID()}`,
    provider: 'sandbox',
    type,
    createdAt: dispute.updatedAt,
    dispute,
  };
  await db
    .insert(providerEvents)
    .values({ id: event.id, type, provider: 'sandbox', payload: event, status: 'pending' });
  return event.id;
}

/** The stored status of an event. */
export const eventStatus = async (id: string) =>
  (await db.select().from(providerEvents).where(eq(providerEvents.id, id)).get())?.status;
