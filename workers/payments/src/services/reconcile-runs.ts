import { AppError, afterCreatedAt } from '@onasis/http';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { reconciliationRuns } from '../db/schema.js';
import type { ReconciliationRun } from './reconcile.js';

// Runs are paged by when they started, the way other lists are paged by `createdAt`.
const byStart = { createdAt: reconciliationRuns.startedAt, id: reconciliationRuns.id };

/** A run as the API shows it. */
export function toRunView(run: ReconciliationRun) {
  return {
    id: run.id,
    provider: run.provider,
    status: run.status,
    since: run.since,
    eventsChecked: run.eventsChecked,
    eventsRepaired: run.eventsRepaired,
    mismatches: run.mismatches,
    error: run.error,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

/** One page (plus one, to tell whether another exists) of runs, newest first, with `createdAt` for the cursor. */
export async function listRuns(db: Db, page: { after?: { createdAt: string; id: string }; limit: number }) {
  const rows = await db
    .select()
    .from(reconciliationRuns)
    .where(afterCreatedAt(byStart, page.after, 'desc'))
    .orderBy(desc(reconciliationRuns.startedAt), desc(reconciliationRuns.id))
    .limit(page.limit + 1);
  return rows.map((r) => ({ ...r, createdAt: r.startedAt }));
}

/** A run by id, or a 404. */
export async function findRun(db: Db, id: string): Promise<ReconciliationRun> {
  const row = await db.select().from(reconciliationRuns).where(eq(reconciliationRuns.id, id)).get();
  if (!row) throw new AppError('NOT_FOUND', `No reconciliation run ${id}.`);
  return row;
}
