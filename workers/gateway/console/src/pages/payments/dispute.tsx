import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime, money } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { IdLink, PaymentsTabs, StatusBadge } from './payment-bits.js';

/** One dispute: its state, amount and fee, reason, deadline, and the payment it withdraws from. */
export default function DisputePage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const dispute = useLoad(() => client.GET('/api/v1/payments/disputes/{id}', { params: { path: { id } } }), [id]);
  return (
    <section class="page">
      <PageHeader title={`Dispute ${id}`} />
      <PaymentsTabs />
      <Show state={dispute}>
        {(d) => (
          <Details
            items={[
              ['Status', <StatusBadge key="s" status={d.status} />],
              ['Amount', money(d.amount, d.currency)],
              ['Fee', money(d.fee, d.currency)],
              ['Reason', d.reason],
              ['Payment', <IdLink key="p" href={`/console/payments/${d.paymentId}`} id={d.paymentId} />],
              ['Payer', <code key="u">{d.userId}</code>],
              ['Provider', `${d.provider} (${d.providerDisputeId})`],
              ['Evidence due', dateTime(d.evidenceDueBy)],
              ['Opened', dateTime(d.createdAt)],
              ['Updated', dateTime(d.updatedAt)],
            ]}
          />
        )}
      </Show>
    </section>
  );
}
