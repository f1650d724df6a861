import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { CHANNELS, type Delivery, DeliveryLink, NotificationsTabs } from './notification-bits.js';

/** What the sandbox provider caught instead of sending: the local mail catcher. */
export default function OutboxPage() {
  const list = useList(['channel'], (f, cursor) =>
    client.GET('/api/v1/notifications/outbox', {
      params: { query: { channel: CHANNELS.find(([c]) => c === f.channel)?.[0], cursor, limit: 25 } },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Sandbox outbox" />
      <NotificationsTabs />
      <p class="muted">
        In local development the sandbox provider sends nothing and keeps each message here. Open one to read it.
      </p>
      <FilterBar
        list={list}
        fields={[{ name: 'channel', label: 'Channel', options: [['', 'Any channel'], ...CHANNELS] }]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable<Delivery>
            caption="Caught messages, newest first"
            rows={page.data}
            rowKey={(d) => d.id}
            empty="The sandbox has caught nothing yet."
            columns={[
              { label: 'Caught', cell: (d) => dateTime(d.sentAt ?? d.createdAt) },
              { label: 'To', cell: (d) => d.address ?? d.recipient },
              { label: 'Channel', cell: (d) => d.channel },
              { label: 'Subject', cell: (d) => d.subject ?? <span class="muted">(not kept)</span> },
              { label: 'Template', cell: (d) => <code>{d.template}</code> },
              { label: 'Message', cell: (d) => <DeliveryLink id={d.id} /> },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
