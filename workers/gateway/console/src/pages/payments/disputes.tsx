import type { components } from '@onasis/client';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime, money } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { IdLink, PaymentsTabs, StatusBadge } from './payment-bits.js';

type DisputeStatus = components['schemas']['Dispute']['status'];

/** Every dispute status, with how the filter names it. */
export const DISPUTE_STATUSES: readonly (readonly [DisputeStatus, string])[] = [
  ['needs_response', 'Needs response'],
  ['under_review', 'Under review'],
  ['won', 'Won'],
  ['lost', 'Lost'],
  ['warning_needs_response', 'Inquiry: needs response'],
  ['warning_under_review', 'Inquiry: under review'],
  ['warning_closed', 'Inquiry: closed'],
];

/** Every dispute (chargeback), newest first, filtered by status from the URL. */
export default function DisputesPage() {
  const list = useList(['status'], (f, cursor) =>
    client.GET('/api/v1/payments/disputes', {
      params: { query: { status: DISPUTE_STATUSES.find(([s]) => s === f.status)?.[0], cursor, limit: 25 } },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Disputes" />
      <PaymentsTabs />
      <FilterBar
        list={list}
        fields={[{ name: 'status', label: 'Status', options: [['', 'Any'], ...DISPUTE_STATUSES] }]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable
            caption="Disputes, newest first"
            rows={page.data}
            rowKey={(d) => d.id}
            empty="No disputes match."
            columns={[
              { label: 'Dispute', cell: (d) => <IdLink href={`/console/payments/disputes/${d.id}`} id={d.id} /> },
              { label: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
              { label: 'Amount', numeric: true, cell: (d) => money(d.amount, d.currency) },
              { label: 'Reason', cell: (d) => d.reason },
              { label: 'Payment', cell: (d) => <IdLink href={`/console/payments/${d.paymentId}`} id={d.paymentId} /> },
              { label: 'Evidence due', cell: (d) => dateTime(d.evidenceDueBy) },
              { label: 'Opened', cell: (d) => dateTime(d.createdAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
