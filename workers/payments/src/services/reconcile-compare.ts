import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import type { ProviderEvent, ProviderIntent, ProviderName } from '../providers/provider.js';

/** One thing a run found wrong: a missed or failed event it repaired, or a difference it could not repair. */
export interface Mismatch {
  kind:
    | 'missed-event'
    | 'failed-event'
    | 'not-applied'
    | 'unknown-payment'
    | 'status'
    | 'amount-captured'
    | 'truncated';
  objectId: string;
  detail: string;
}

/**
 * The newest state of every payment among `events` (listed newest first, as providers list them), by provider id:
 * on a tie of whole-second times the event listed first, the later one, wins.
 */
export function latestIntents(events: ProviderEvent[]): Map<string, ProviderIntent> {
  const latest = new Map<string, ProviderIntent>();
  for (const event of events) {
    const intent = event.intent;
    if (!intent) continue;
    const seen = latest.get(intent.providerId);
    if (!seen || intent.updatedAt > seen.updatedAt) latest.set(intent.providerId, intent);
  }
  return latest;
}

/**
 * Compares each payment the provider reports with the platform's row, after the repaired events were applied: a
 * payment the platform never recorded, or one whose status or captured amount still differs, is a mismatch a person
 * looks at (a run changes payments only through events).
 */
export async function comparePayments(
  db: Db,
  provider: ProviderName,
  latest: Map<string, ProviderIntent>,
): Promise<Mismatch[]> {
  const ids = [...latest.keys()];
  if (ids.length === 0) return [];
  const mismatches: Mismatch[] = [];
  // D1 binds at most 100 parameters a statement: look the payments up in chunks.
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const rows = await db
      .select()
      .from(paymentIntents)
      .where(and(eq(paymentIntents.provider, provider), inArray(paymentIntents.providerIntentId, chunk)));
    const byProviderId = new Map(rows.map((r) => [r.providerIntentId, r]));
    for (const providerId of chunk) {
      const intent = latest.get(providerId);
      const row = byProviderId.get(providerId);
      if (!intent) continue;
      if (!row) {
        mismatches.push({ kind: 'unknown-payment', objectId: providerId, detail: `not recorded; ${intent.status}` });
        continue;
      }
      if (row.status !== intent.status)
        mismatches.push({
          kind: 'status',
          objectId: row.id,
          detail: `recorded ${row.status}, ${provider} reports ${intent.status}`,
        });
      else if (row.amountCaptured !== intent.amountCaptured)
        mismatches.push({
          kind: 'amount-captured',
          objectId: row.id,
          detail: `recorded ${row.amountCaptured}, ${provider} reports ${intent.amountCaptured}`,
        });
    }
  }
  return mismatches;
}
