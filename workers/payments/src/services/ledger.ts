import { newId } from '@onasis/contracts';
import { count, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client.js';
import { ledgerEntries, ledgerTransactions } from '../db/schema.js';
import type { ProviderName } from '../providers/provider.js';

/**
 * The ledger's accounts. `provider:<name>` is money held at a provider (an asset: a debit raises it); `revenue` is
 * income; `refunds`, `fees` and `disputes` are what reduces it. Each movement debits one and credits another by the
 * same amount, so every transaction sums to zero per currency.
 */
export type LedgerAccount = `provider:${ProviderName}` | 'revenue' | 'refunds' | 'fees' | 'disputes';

/** One money movement to record, in the same batch as the state change it belongs to. */
export interface Movement {
  kind: 'capture' | 'refund' | 'dispute' | 'dispute_reversal' | 'fee';
  /** Unique per movement (`capture:<pay_id>:<n>`, `refund:<re_id>`, …): a second recording fails its whole batch. */
  sourceKey: string;
  provider: ProviderName;
  currency: string;
  /** Positive minor units. */
  amount: number;
  paymentId?: string;
  refundId?: string;
}

/** Which account each kind of movement debits and credits. */
function sidesOf(m: Movement): { debit: LedgerAccount; credit: LedgerAccount } {
  const provider: LedgerAccount = `provider:${m.provider}`;
  switch (m.kind) {
    case 'capture':
      return { debit: provider, credit: 'revenue' };
    case 'refund':
      return { debit: 'refunds', credit: provider };
    case 'fee':
      return { debit: 'fees', credit: provider };
    case 'dispute':
      return { debit: 'disputes', credit: provider };
    case 'dispute_reversal':
      return { debit: provider, credit: 'disputes' };
  }
}

/**
 * The statements that record a movement: one transaction and its two entries. Put them in the same `db.batch` as
 * the state change, so that either both land or neither does; recording the same `sourceKey` twice fails the batch
 * on the unique index (`isDuplicateMovement` tells that failure apart).
 */
export function movementStatements(db: Db, m: Movement): [BatchItem<'sqlite'>, BatchItem<'sqlite'>] {
  if (!Number.isInteger(m.amount) || m.amount <= 0)
    throw new Error(`a movement needs a positive amount, got ${m.amount}`);
  const transactionId = newId('ltx');
  const { debit, credit } = sidesOf(m);
  return [
    db.insert(ledgerTransactions).values({
      id: transactionId,
      kind: m.kind,
      sourceKey: m.sourceKey,
      paymentId: m.paymentId ?? null,
      refundId: m.refundId ?? null,
      currency: m.currency,
    }),
    db.insert(ledgerEntries).values([
      { id: newId('len'), transactionId, account: debit, currency: m.currency, amount: m.amount },
      { id: newId('len'), transactionId, account: credit, currency: m.currency, amount: -m.amount },
    ]),
  ];
}

/** Whether a failed batch failed because its movement was already recorded (the unique `source_key`). */
export function isDuplicateMovement(err: unknown): boolean {
  const text = `${String(err)} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /UNIQUE constraint failed: ledger_transactions\.source_key/.test(text);
}

/** What `GET /api/v1/payments/ledger/verify` answers. */
export interface LedgerVerification {
  balanced: boolean;
  transactions: number;
  entries: number;
  /** Transactions whose entries do not sum to zero in some currency (empty when balanced). */
  unbalanced: { transactionId: string; currency: string; sum: number }[];
  /** The balance of every account per currency (debits positive). */
  accounts: { account: string; currency: string; balance: number }[];
}

/** Re-adds every entry: each transaction must sum to zero per currency, and so must the whole ledger. */
export async function verifyLedger(db: Db): Promise<LedgerVerification> {
  const [transactions, entries, unbalanced, accounts] = await db.batch([
    db.select({ n: count() }).from(ledgerTransactions),
    db.select({ n: count() }).from(ledgerEntries),
    db
      .select({
        transactionId: ledgerEntries.transactionId,
        currency: ledgerEntries.currency,
        sum: sql<number>`sum(${ledgerEntries.amount})`.as('sum'),
      })
      .from(ledgerEntries)
      .groupBy(ledgerEntries.transactionId, ledgerEntries.currency)
      .having(sql`sum(${ledgerEntries.amount}) != 0`),
    db
      .select({
        account: ledgerEntries.account,
        currency: ledgerEntries.currency,
        balance: sql<number>`sum(${ledgerEntries.amount})`.as('balance'),
      })
      .from(ledgerEntries)
      .groupBy(ledgerEntries.account, ledgerEntries.currency)
      .orderBy(ledgerEntries.account, ledgerEntries.currency),
  ]);
  const total = new Map<string, number>();
  for (const a of accounts) total.set(a.currency, (total.get(a.currency) ?? 0) + a.balance);
  const everyCurrencyZero = [...total.values()].every((sum) => sum === 0);
  return {
    balanced: unbalanced.length === 0 && everyCurrencyZero,
    transactions: transactions[0]?.n ?? 0,
    entries: entries[0]?.n ?? 0,
    unbalanced,
    accounts,
  };
}
