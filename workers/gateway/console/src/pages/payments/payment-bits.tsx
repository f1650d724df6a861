import type { components } from '@onasis/client';
import './payments.css';
import { AreaTabs } from '../../components/tabs.js';

/** A payment as the API shows it. */
export type Payment = components['schemas']['PaymentIntent'];

/** Every payment status, in lifecycle order, with how the filter names it. */
export const PAYMENT_STATUSES: readonly (readonly [Payment['status'], string])[] = [
  ['requires_payment_method', 'Needs a payment method'],
  ['requires_confirmation', 'Needs confirmation'],
  ['requires_action', 'Needs action (3-D Secure)'],
  ['processing', 'Processing'],
  ['requires_capture', 'Authorised, to capture'],
  ['succeeded', 'Succeeded'],
  ['canceled', 'Canceled'],
];

/** The providers a payment can go through. */
export const PROVIDERS: readonly (readonly [Payment['provider'], string])[] = [
  ['sandbox', 'Sandbox'],
  ['stripe', 'Stripe'],
  ['paypal', 'PayPal'],
];

const TONE: Record<string, string> = {
  succeeded: 'ok',
  won: 'ok',
  warning_closed: 'ok',
  canceled: 'bad',
  failed: 'bad',
  lost: 'bad',
  needs_response: 'warn',
  warning_needs_response: 'warn',
  requires_action: 'warn',
  requires_capture: 'warn',
  processing: 'warn',
  pending: 'warn',
  running: 'warn',
};

/** A status as a badge whose colour says good, bad or pending (the word itself carries the meaning). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge ${TONE[status] ?? ''}`}>{status.replaceAll('_', ' ')}</span>;
}

const TABS = [
  ['/console/payments', 'Payments'],
  ['/console/payments/disputes', 'Disputes'],
  ['/console/payments/ledger', 'Ledger'],
  ['/console/payments/reconciliation', 'Reconciliation'],
] as const;

/** The Payments area's own navigation. */
export function PaymentsTabs() {
  return <AreaTabs label="Payments views" tabs={TABS} />;
}

/** A short id that still links to its page; the full id is the link's accessible name. */
export function IdLink({ href, id }: { href: string; id: string }) {
  return (
    <a href={href} class="id-link">
      <code>{id}</code>
    </a>
  );
}
