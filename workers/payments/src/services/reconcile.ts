import { newId } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { and, eq, inArray } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { providerEvents, reconciliationRuns } from '../db/schema.js';
import { type ProvidersEnv, providerFor } from '../providers/index.js';
import type { ProviderEvent, ProviderName } from '../providers/provider.js';
import { actsOn, applyEvent } from './apply-event.js';
import { receiveEvent } from './receive-event.js';
import { comparePayments, latestIntents, type Mismatch } from './reconcile-compare.js';

const log = createLogger({ service: 'payments' });

/** The Worker's environment, with the provider settings it may carry (a test points Stripe at its own server). */
export type ReconcileEnv = PaymentsEnv & ProvidersEnv;

/** A stored run. */
export type ReconciliationRun = typeof reconciliationRuns.$inferSelect;

/** A run keeps at most this many mismatches (and says how many more it found): the row stays bounded. */
const MAX_MISMATCHES = 500;

/** The stored status of each of `ids` (absent: never received). */
async function storedStatuses(env: ReconcileEnv, ids: string[]) {
  const db = dbOf(env.DB);
  const found = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select({ id: providerEvents.id, status: providerEvents.status })
      .from(providerEvents)
      .where(inArray(providerEvents.id, ids.slice(i, i + 90)));
    for (const r of rows) found.set(r.id, r.status);
  }
  return found;
}

/**
 * Repairs what the provider sent and the platform missed, oldest first: an event never received is stored through
 * `receiveEvent` (as its webhook would have been), one the DLQ gave up on is set back to `pending` and queued again.
 * Each is then applied here, so the run's comparison sees the result; the queue's copy finds it settled. An event
 * that cannot be applied yet stays `pending` for the queue, and the run says so.
 */
async function repair(env: ReconcileEnv, events: ProviderEvent[], mismatches: Mismatch[]): Promise<number> {
  const db = dbOf(env.DB);
  const stored = await storedStatuses(
    env,
    events.map((e) => e.id),
  );
  // Providers list newest first; reversed, a stable sort keeps the order of events within one second.
  const oldestFirst = [...events].reverse().sort((a, b) => a.createdAt - b.createdAt);
  let repaired = 0;
  for (const event of oldestFirst) {
    // An event of a type the platform ignores is not worth repairing.
    if (!actsOn(event)) continue;
    const status = stored.get(event.id);
    if (status !== undefined && status !== 'failed') continue;
    if (status === 'failed') {
      await db
        .update(providerEvents)
        .set({ status: 'pending', processedAt: null })
        .where(and(eq(providerEvents.id, event.id), eq(providerEvents.status, 'failed')));
    }
    await receiveEvent(env, event);
    repaired += 1;
    mismatches.push({
      kind: status === 'failed' ? 'failed-event' : 'missed-event',
      objectId: event.id,
      detail: `${event.type}${status === 'failed' ? ' had failed' : ' never arrived'}; repaired`,
    });
    try {
      await applyEvent(env, event.id);
    } catch (err) {
      mismatches.push({ kind: 'not-applied', objectId: event.id, detail: `left to the queue: ${String(err)}` });
    }
  }
  return repaired;
}

/**
 * One reconciliation run against `provider`: its events since `since` compared with what the platform received,
 * what is missing repaired through the event path (so nothing is applied twice, whoever else applies it), then every
 * payment the provider reports compared with the platform's row. The run is recorded `running` first and finished
 * `succeeded` with its counts and mismatches, or `failed` with the error; a run that dies midway stays `running`, and
 * the next run (or a retry of the job) simply does it all again.
 */
export async function reconcile(
  env: ReconcileEnv,
  input: { provider: ProviderName; since: Date },
): Promise<ReconciliationRun> {
  const db = dbOf(env.DB);
  const id = newId('rcn');
  await db
    .insert(reconciliationRuns)
    .values({ id, provider: input.provider, status: 'running', since: input.since.toISOString() });
  let finish: Partial<ReconciliationRun>;
  try {
    const adapter = providerFor(env, input.provider);
    if (!adapter?.listEvents) throw new Error(`${input.provider} is not configured or keeps no event list`);
    const listed = await adapter.listEvents(input.since.getTime());
    if (!listed.ok)
      throw new Error(
        `${input.provider} events: ${listed.kind === 'declined' ? listed.error.message : listed.message}`,
      );
    const mismatches: Mismatch[] = [];
    const repaired = await repair(env, listed.value, mismatches);
    mismatches.push(...(await comparePayments(db, input.provider, latestIntents(listed.value))));
    const kept = mismatches.slice(0, MAX_MISMATCHES);
    if (mismatches.length > MAX_MISMATCHES)
      kept.push({ kind: 'truncated', objectId: id, detail: `${mismatches.length - MAX_MISMATCHES} more not kept` });
    finish = { status: 'succeeded', eventsChecked: listed.value.length, eventsRepaired: repaired, mismatches: kept };
  } catch (err) {
    log.error('reconciliation failed', { runId: id, err: String(err) });
    finish = { status: 'failed', error: String(err).slice(0, 1000) };
  }
  const [run] = await db
    .update(reconciliationRuns)
    .set({ ...finish, finishedAt: new Date().toISOString() })
    .where(eq(reconciliationRuns.id, id))
    .returning();
  if (!run) throw new Error(`reconciliation run ${id} vanished`);
  return run;
}
