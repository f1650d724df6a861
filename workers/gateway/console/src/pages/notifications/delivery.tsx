import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { DeliveryStatus, Message, NotificationsTabs } from './notification-bits.js';

/** One delivery: to whom and how, the rendered message (when the log keeps it), and what the provider said. */
export default function DeliveryPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const delivery = useLoad(
    () => client.GET('/api/v1/notifications/deliveries/{id}', { params: { path: { id } } }),
    [id],
  );
  return (
    <section class="page">
      <PageHeader title={`Delivery ${id}`} />
      <NotificationsTabs />
      <Show state={delivery}>
        {(d) => (
          <>
            <Details
              items={[
                ['Recipient', d.recipient],
                ['Address', d.address ?? '—'],
                ['Channel', d.channel],
                [
                  'Template',
                  <a key="t" href={`/console/notifications/templates/${encodeURIComponent(d.template)}`}>
                    {d.template}
                    {d.templateVersion !== null && ` v${d.templateVersion}`}
                  </a>,
                ],
                ['Locale', d.locale ?? '—'],
                ['Category', d.category ?? '—'],
                ['Created', dateTime(d.createdAt)],
                ['Sent', dateTime(d.sentAt)],
              ]}
            />
            <h2>Provider outcome</h2>
            <Details
              items={[
                ['Status', <DeliveryStatus key="s" status={d.status} />],
                ['Provider', d.provider ?? '—'],
                ['Message ID', d.providerMessageId ? <code key="m">{d.providerMessageId}</code> : '—'],
                ['Attempts', String(d.attempts)],
                [
                  'Error',
                  d.error ? (
                    <span key="e" class="error-text">
                      {d.error}
                    </span>
                  ) : (
                    '—'
                  ),
                ],
                ['Updated', dateTime(d.updatedAt)],
              ]}
            />
            <h2>Message</h2>
            {d.subject === null && d.bodyText === null && d.bodyHtml === null ? (
              <p class="muted">
                The log does not keep this message: a real provider took it (its content is cleared once sent), or it
                carries one-time links or codes.
              </p>
            ) : (
              <Message label="The delivered message" subject={d.subject} text={d.bodyText} html={d.bodyHtml} />
            )}
          </>
        )}
      </Show>
    </section>
  );
}
