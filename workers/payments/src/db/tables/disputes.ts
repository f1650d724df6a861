import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { PROVIDER_NAMES } from '../../providers/provider.js';
import { DISPUTE_STATUSES } from '../../providers/provider-disputes.js';
import { createdAt } from './columns.js';
import { paymentIntents } from './payments.js';

// Disputes (chargebacks) of payments.

/**
 * A dispute (`dp_…`) of a payment: its withdrawal and any reinstatement are ledger movements (`dispute:<dp_id>`,
 * `dispute_reversal:<dp_id>`), written in the same batch as the dispute's state.
 */
export const disputes = sqliteTable(
  'disputes',
  {
    id: text('id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => paymentIntents.id),
    userId: text('user_id').notNull(),
    provider: text('provider', { enum: PROVIDER_NAMES }).notNull(),
    providerDisputeId: text('provider_dispute_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: DISPUTE_STATUSES }).notNull(),
    fee: integer('fee').notNull().default(0),
    evidenceDueBy: text('evidence_due_by'),
    providerUpdatedAt: integer('provider_updated_at'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    uniqueIndex('disputes_provider_id_unique').on(t.provider, t.providerDisputeId),
    index('disputes_created_idx').on(t.createdAt),
  ],
);
