import { afterCreatedAt } from '@onasis/http';
import { desc, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ledgerEntries, ledgerTransactions } from '../db/schema.js';

/** A ledger transaction with its entries, as the admin API shows it. */
export type LedgerTransactionView = typeof ledgerTransactions.$inferSelect & {
  entries: { account: string; currency: string; amount: number }[];
};

/** One page (plus one, to tell whether another exists) of ledger transactions, newest first, each with its entries. */
export async function listLedger(
  db: Db,
  page: { after?: { createdAt: string; id: string }; limit: number },
): Promise<LedgerTransactionView[]> {
  const transactions = await db
    .select()
    .from(ledgerTransactions)
    .where(afterCreatedAt(ledgerTransactions, page.after, 'desc'))
    .orderBy(desc(ledgerTransactions.createdAt), desc(ledgerTransactions.id))
    .limit(page.limit + 1);
  if (transactions.length === 0) return [];
  const entries = await db
    .select({
      transactionId: ledgerEntries.transactionId,
      account: ledgerEntries.account,
      currency: ledgerEntries.currency,
      amount: ledgerEntries.amount,
    })
    .from(ledgerEntries)
    .where(
      inArray(
        ledgerEntries.transactionId,
        transactions.map((t) => t.id),
      ),
    )
    .orderBy(desc(ledgerEntries.amount));
  return transactions.map((t) => ({
    ...t,
    entries: entries
      .filter((e) => e.transactionId === t.id)
      .map(({ account, currency, amount }) => ({ account, currency, amount })),
  }));
}
