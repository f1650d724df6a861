import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime, money } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { IdLink, PAYMENT_STATUSES, type Payment, PaymentsTabs, PROVIDERS, StatusBadge } from './payment-bits.js';

type Status = Payment['status'];
type Provider = Payment['provider'];

const oneOf = <T extends string>(options: readonly (readonly [T, string])[], value: string | undefined) =>
  options.find(([v]) => v === value)?.[0];

/** Every user's payments, newest first, filtered by status, provider and payer from the URL. */
export default function PaymentsPage() {
  const list = useList(['status', 'provider', 'userId'], (f, cursor) =>
    client.GET('/api/v1/payments/intents', {
      params: {
        query: {
          status: oneOf<Status>(PAYMENT_STATUSES, f.status),
          provider: oneOf<Provider>(PROVIDERS, f.provider),
          userId: f.userId,
          cursor,
          limit: 25,
        },
      },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Payments" />
      <PaymentsTabs />
      <FilterBar
        list={list}
        fields={[
          { name: 'status', label: 'Status', options: [['', 'Any'], ...PAYMENT_STATUSES] },
          { name: 'provider', label: 'Provider', options: [['', 'Any'], ...PROVIDERS] },
          { name: 'userId', label: 'Payer (user ID)', placeholder: 'usr_…' },
        ]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable
            caption="Payments, newest first"
            rows={page.data}
            rowKey={(p) => p.id}
            empty="No payments match."
            columns={[
              { label: 'Payment', cell: (p) => <IdLink href={`/console/payments/${p.id}`} id={p.id} /> },
              { label: 'Status', cell: (p) => <StatusBadge status={p.status} /> },
              { label: 'Amount', numeric: true, cell: (p) => money(p.amount, p.currency) },
              {
                label: 'Refunded',
                numeric: true,
                cell: (p) => (p.amountRefunded > 0 ? money(p.amountRefunded, p.currency) : '—'),
              },
              { label: 'Provider', cell: (p) => p.provider },
              { label: 'Payer', cell: (p) => <code>{p.userId}</code> },
              { label: 'Created', cell: (p) => dateTime(p.createdAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
