import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { PROVIDER_NAMES } from '../../providers/provider.js';
import { createdAt } from './columns.js';

// What providers tell the platform: their events, and the reconciliation runs that look for missed ones.

/**
 * Every provider event seen, keyed by the provider's event id so that redeliveries are recognised. `status`:
 * `pending` until the consumer has applied it, then `applied`, `ignored` (a type the platform does not act on, or
 * an older state than the one recorded) or `failed` (with `error`).
 */
export const providerEvents = sqliteTable('provider_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: createdAt('received_at'),
  processedAt: text('processed_at'),
  provider: text('provider', { enum: PROVIDER_NAMES }),
  payload: text('payload', { mode: 'json' }).$type<unknown>(),
  status: text('status', { enum: ['pending', 'applied', 'ignored', 'failed'] }),
  error: text('error'),
});

/**
 * One reconciliation run (`rcn_…`): what it compared, what it repaired and every mismatch it found. A run that dies
 * midway stays `running` with its `started_at`; the next run starts afresh (everything it does is idempotent).
 */
export const reconciliationRuns = sqliteTable(
  'reconciliation_runs',
  {
    id: text('id').primaryKey(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    status: text('status', { enum: ['running', 'succeeded', 'failed'] }).notNull(),
    since: text('since').notNull(),
    eventsChecked: integer('events_checked').notNull().default(0),
    eventsRepaired: integer('events_repaired').notNull().default(0),
    mismatches: text('mismatches', { mode: 'json' })
      .$type<{ kind: string; objectId: string; detail: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    error: text('error'),
    startedAt: createdAt('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [index('reconciliation_runs_started_idx').on(t.startedAt)],
);
