import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { IdLink, PaymentsTabs, StatusBadge } from './payment-bits.js';

/** Reconciliation runs (each compares a provider's events with what the platform recorded), newest first. */
export default function ReconciliationPage() {
  const list = useList([], (_f, cursor) =>
    client.GET('/api/v1/payments/reconciliation-runs', { params: { query: { cursor, limit: 25 } } }),
  );
  return (
    <section class="page">
      <PageHeader title="Reconciliation runs" />
      <PaymentsTabs />
      <p class="hint">
        The payments job compares each provider's recent events with the platform's records and repairs what was missed.
      </p>
      <Show state={list}>
        {(page) => (
          <DataTable
            caption="Reconciliation runs, newest first"
            rows={page.data}
            rowKey={(r) => r.id}
            empty="No reconciliation has run yet."
            columns={[
              { label: 'Run', cell: (r) => <IdLink href={`/console/payments/reconciliation/${r.id}`} id={r.id} /> },
              { label: 'Provider', cell: (r) => r.provider },
              { label: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
              { label: 'Events checked', numeric: true, cell: (r) => r.eventsChecked },
              { label: 'Repaired', numeric: true, cell: (r) => r.eventsRepaired },
              { label: 'Mismatches', numeric: true, cell: (r) => r.mismatches.length },
              { label: 'Started', cell: (r) => dateTime(r.startedAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
