import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { dbOf } from '../db/client.js';
import { type ProvidersEnv, providerFor } from '../providers/index.js';
import type { PaymentProvider } from '../providers/provider.js';
import { actionAllowed, type IntentAction } from './intent-states.js';
import { notify } from './notify.js';
import { paymentNotices } from './payment-notices.js';
import { conflict, findPayment, type PaymentRow } from './payment-rows.js';
import { paymentEvents, publishPlatformEvents } from './platform-events.js';
import { providerFailure } from './provider-errors.js';
import { recordIntent } from './record-intent.js';

/** What the actions need: the providers, the notifications queue for receipts and refusals, and analytics'. */
type ActionsEnv = ProvidersEnv & Pick<PaymentsEnv, 'NOTIFICATIONS_QUEUE' | 'PLATFORM_EVENTS'>;

/** The payment an action applies to, checked against the state machine, with its provider and provider id. */
async function prepare(env: ProvidersEnv, caller: Principal, id: string, action: IntentAction, ownerOnly = false) {
  const db = dbOf(env.DB);
  const row = await findPayment(db, id, caller, { ownerOnly });
  if (!actionAllowed(action, row.status)) throw conflict(row, `${action} is not allowed`);
  const provider = providerFor(env, row.provider);
  if (!provider) throw new AppError('SERVICE_UNAVAILABLE', `The ${row.provider} provider is not configured here.`);
  if (row.providerIntentId === null) {
    throw new AppError('CONFLICT', `Payment ${id} was never created at the provider; create it again.`);
  }
  return { db, row, provider, providerId: row.providerIntentId };
}

/**
 * Confirms a payment server-side with a payment method (the sandbox's way in). The provider key carries the payment's
 * version, so a retried confirmation of the same attempt replays the provider's answer, while a new attempt after a
 * decline is a new call. A decline is recorded (`requires_payment_method` with `lastError`) and answered 402.
 * Interrupted after the provider call, nothing is recorded: the retry replays and records it, and an event carrying
 * the same state is applied by the consumer anyway.
 */
export async function confirmIntent(
  env: ActionsEnv,
  caller: Principal,
  id: string,
  paymentMethod: string,
): Promise<PaymentRow> {
  const { db, row, provider, providerId } = await prepare(env, caller, id, 'confirm', true);
  const attempt = `${row.id}:confirm:${row.version}`;
  const result = await provider.confirmIntent(providerId, paymentMethod, attempt);
  // The receipt or the refusal is told before it is recorded (see apply-event.ts); the receipt is keyed by the
  // payment, so this answer and the provider's event about the same success send it once.
  const answered = result.ok ? result.value : result.kind === 'declined' ? result.value : undefined;
  if (answered) await notify(env, paymentNotices(row, answered, attempt));
  if (result.ok) await publishPlatformEvents(env, paymentEvents(row, result.value));
  if (result.ok) return recordIntent(db, row, result.value);
  if (result.kind === 'declined' && result.value) await recordIntent(db, row, result.value);
  throw providerFailure(result);
}

/**
 * Captures an authorised payment, all of it or `amount` (the rest is released, as Stripe does). The status change and
 * the capture's ledger movement land in one batch; a retried capture replays the provider's answer (key
 * `<pay_id>:capture`), and a second recording is refused by the version guard and the movement's unique source key.
 */
export async function captureIntent(
  env: ActionsEnv,
  caller: Principal,
  id: string,
  amount: number | undefined,
): Promise<PaymentRow> {
  const { db, row, provider, providerId } = await prepare(env, caller, id, 'capture');
  if (amount !== undefined && amount > row.amount) {
    throw new AppError('VALIDATION_FAILED', `At most ${row.amount} can be captured.`, {
      errors: [{ path: 'amount', message: `Must be at most ${row.amount}` }],
    });
  }
  const result = await provider.captureIntent(providerId, amount, `${row.id}:capture`);
  if (result.ok) {
    await notify(env, paymentNotices(row, result.value, `${row.id}:capture`));
    await publishPlatformEvents(env, paymentEvents(row, result.value));
  }
  return settle(db, row, result);
}

/** Cancels a payment not yet settled; retried, the provider replays (key `<pay_id>:cancel`) and the guard holds. */
export async function cancelIntent(env: ProvidersEnv, caller: Principal, id: string): Promise<PaymentRow> {
  const { db, row, provider, providerId } = await prepare(env, caller, id, 'cancel');
  return settle(db, row, await provider.cancelIntent(providerId, `${row.id}:cancel`));
}

function settle(
  db: ReturnType<typeof dbOf>,
  row: PaymentRow,
  result: Awaited<ReturnType<PaymentProvider['cancelIntent']>>,
): Promise<PaymentRow> {
  if (!result.ok) throw providerFailure(result);
  return recordIntent(db, row, result.value);
}
