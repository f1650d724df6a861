import type { IntentStatus } from '../providers/provider.js';

/**
 * The payment state machine: from each status, the statuses a payment may move to, whoever moves it (an API action's
 * provider answer, or a provider event). `succeeded` and `canceled` are final, so a late `processing` event can never
 * move a settled payment back. A decline (or a failed 3-D Secure or bank debit) sends it back to
 * `requires_payment_method`, from where another confirmation may start.
 */
export const TRANSITIONS: Record<IntentStatus, readonly IntentStatus[]> = {
  requires_payment_method: [
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
  ],
  requires_confirmation: [
    'requires_payment_method',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
  ],
  // `requires_confirmation`: a PayPal buyer approved the order, which the platform's confirm then captures.
  requires_action: [
    'requires_payment_method',
    'requires_confirmation',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
  ],
  processing: ['requires_payment_method', 'requires_capture', 'succeeded'],
  requires_capture: ['succeeded', 'canceled'],
  succeeded: [],
  canceled: [],
};

/** Whether a payment in `from` may move to `to` (staying put is not a move). */
export function canMove(from: IntentStatus, to: IntentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses each API action accepts; any other is a 409 naming the current status. */
export const ACTION_ACCEPTS = {
  // From `requires_action` too, as Stripe allows: a PayPal order waits there for its buyer, and confirming is what
  // captures it once approved (before that, confirm answers the order unchanged).
  confirm: ['requires_payment_method', 'requires_confirmation', 'requires_action'],
  capture: ['requires_capture'],
  cancel: ['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture'],
  authenticate: ['requires_action'],
  refund: ['succeeded'],
} as const satisfies Record<string, readonly IntentStatus[]>;

/** An API action on a payment. */
export type IntentAction = keyof typeof ACTION_ACCEPTS;

/** Whether `action` may run on a payment in `status`. */
export function actionAllowed(action: IntentAction, status: IntentStatus): boolean {
  return (ACTION_ACCEPTS[action] as readonly IntentStatus[]).includes(status);
}
