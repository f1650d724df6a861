import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { PageHeader, useAction } from '../../components/actions.js';
import { dateTime, money } from '../../components/format.js';
import { Pager, useList } from '../../components/list.js';
import { ProblemBox } from '../../components/problem-box.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { IdLink, PaymentsTabs } from './payment-bits.js';

type Verification = components['schemas']['LedgerVerification'];

/** What "Verify ledger" found: balanced or not, the unbalanced transactions, and the balance of every account. */
function VerificationResult({ result }: { result: Verification }) {
  return (
    <div>
      <p class={result.balanced ? 'verdict' : 'verdict bad'} role="status">
        {result.balanced
          ? `Balanced: ${result.transactions} transactions and ${result.entries} entries sum to zero per currency.`
          : `Not balanced: ${result.unbalanced.length} transactions do not sum to zero.`}
      </p>
      {result.unbalanced.length > 0 && (
        <DataTable
          caption="Unbalanced transactions"
          rows={result.unbalanced}
          rowKey={(u) => `${u.transactionId}:${u.currency}`}
          empty=""
          columns={[
            { label: 'Transaction', cell: (u) => <code>{u.transactionId}</code> },
            { label: 'Sum', numeric: true, cell: (u) => money(u.sum, u.currency) },
          ]}
        />
      )}
      <DataTable
        caption="Balance per account"
        rows={result.accounts}
        rowKey={(a) => `${a.account}:${a.currency}`}
        empty="No entries yet."
        columns={[
          { label: 'Account', cell: (a) => <code>{a.account}</code> },
          { label: 'Currency', cell: (a) => a.currency.toUpperCase() },
          { label: 'Balance', numeric: true, cell: (a) => money(a.balance, a.currency) },
        ]}
      />
    </div>
  );
}

/** The double-entry ledger: "Verify ledger" re-adds every entry; below, every movement with its entries. */
export default function LedgerPage() {
  const [result, setResult] = useState<Verification | null>(null);
  const verify = useAction(async () => setResult(await client.GET('/api/v1/payments/ledger/verify')));
  const list = useList([], (_f, cursor) =>
    client.GET('/api/v1/payments/ledger', { params: { query: { cursor, limit: 25 } } }),
  );
  return (
    <section class="page">
      <PageHeader title="Ledger" />
      <PaymentsTabs />
      <div class="toolbar">
        <button type="button" class="primary" disabled={verify.busy} onClick={() => void verify.start()}>
          {verify.busy ? 'Verifying…' : 'Verify ledger'}
        </button>
      </div>
      {verify.error ? <ProblemBox error={verify.error} title="Verification failed" /> : null}
      {result && <VerificationResult result={result} />}
      <h2>Transactions</h2>
      <Show state={list}>
        {(page) => (
          <DataTable
            caption="Ledger transactions, newest first"
            rows={page.data}
            rowKey={(t) => t.id}
            empty="No money has moved yet."
            columns={[
              { label: 'Transaction', cell: (t) => <code>{t.id}</code> },
              { label: 'Kind', cell: (t) => t.kind },
              {
                label: 'Payment',
                cell: (t) =>
                  t.paymentId ? <IdLink href={`/console/payments/${t.paymentId}`} id={t.paymentId} /> : '—',
              },
              {
                label: 'Entries',
                cell: (t) => (
                  <ul class="entries">
                    {t.entries.map((e) => (
                      <li key={e.account}>
                        <code>{e.account}</code> {money(e.amount, e.currency)}
                      </li>
                    ))}
                  </ul>
                ),
              },
              { label: 'When', cell: (t) => dateTime(t.createdAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
