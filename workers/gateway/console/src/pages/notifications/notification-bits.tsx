import type { components } from '@onasis/client';
import './notifications.css';
import { AreaTabs } from '../../components/tabs.js';

/** A delivery as the API shows it. */
export type Delivery = components['schemas']['NotificationDelivery'];

/** The channels a delivery can go out on. */
export const CHANNELS: readonly (readonly [Delivery['channel'], string])[] = [
  ['email', 'Email'],
  ['sms', 'SMS'],
  ['push', 'Push'],
  ['chat', 'Chat'],
  ['inapp', 'In-app'],
];

/** Where a delivery can be. */
export const DELIVERY_STATUSES: readonly (readonly [Delivery['status'], string])[] = [
  ['queued', 'Queued'],
  ['sending', 'Sending'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['failed', 'Failed'],
  ['bounced', 'Bounced'],
];

const TONE: Record<string, string> = { sent: 'ok', delivered: 'ok', failed: 'bad', bounced: 'bad', queued: 'warn' };

/** A delivery status as a badge. */
export function DeliveryStatus({ status }: { status: string }) {
  return <span class={`badge ${TONE[status] ?? 'warn'}`}>{status}</span>;
}

/** A delivery id as a link to its page. */
export function DeliveryLink({ id }: { id: string }) {
  return (
    <a href={`/console/notifications/deliveries/${encodeURIComponent(id)}`}>
      <code>{id}</code>
    </a>
  );
}

const TABS = [
  ['/console/notifications', 'Deliveries'],
  ['/console/notifications/templates', 'Templates'],
  ['/console/notifications/outbox', 'Sandbox outbox'],
] as const;

/** The Notifications area's own navigation. */
export function NotificationsTabs() {
  return <AreaTabs label="Notifications views" tabs={TABS} />;
}

/**
 * A rendered message: subject, text, and the HTML part in a sandboxed frame (no scripts, no same-origin access, and
 * the console's CSP still applies inside it), with its source as escaped text beside it. Never inserted as markup.
 */
export function Message({
  subject,
  text,
  html,
  label,
}: {
  subject: string | null;
  text: string | null;
  html: string | null;
  label: string;
}) {
  return (
    <div class="message">
      <h3>Subject</h3>
      <p class="message-subject">{subject ?? '—'}</p>
      <h3>Text</h3>
      <pre class="message-text">{text ?? '—'}</pre>
      {html !== null && (
        <>
          <h3>HTML</h3>
          <iframe class="message-html" title={`${label}: HTML part`} sandbox="" srcdoc={html} />
          <details>
            <summary>HTML source</summary>
            <pre class="message-source">{html}</pre>
          </details>
        </>
      )}
    </div>
  );
}
