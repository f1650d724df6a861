import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

// The double-entry ledger: one transaction per money movement, its entries summing to zero.

/**
 * One money movement (`ltx_…`): a capture, a refund, a dispute's withdrawal or reinstatement, a fee. `source_key`
 * (`capture:<pay_id>:<n>`, `refund:<re_id>`, …) is unique, so a movement applied twice is refused by the index, not
 * by luck. Written in the same D1 batch as the state change it records.
 */
export const ledgerTransactions = sqliteTable(
  'ledger_transactions',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['capture', 'refund', 'dispute', 'dispute_reversal', 'fee'] }).notNull(),
    sourceKey: text('source_key').notNull().unique(),
    paymentId: text('payment_id'),
    refundId: text('refund_id'),
    currency: text('currency').notNull(),
    createdAt: createdAt(),
  },
  // By payment: a payment's timeline reads its ledger movements.
  (t) => [
    index('ledger_transactions_created_idx').on(t.createdAt),
    index('ledger_transactions_payment_idx').on(t.paymentId, t.createdAt),
  ],
);

/** One side of a movement: signed minor units (debit positive, credit negative) on one account. */
export const ledgerEntries = sqliteTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    transactionId: text('transaction_id')
      .notNull()
      .references(() => ledgerTransactions.id),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    amount: integer('amount').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('ledger_entries_transaction_idx').on(t.transactionId),
    index('ledger_entries_account_idx').on(t.account),
  ],
);
