import { and, eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { paymentIntents } from '../db/schema.js';
import { receiveEvent } from '../services/receive-event.js';
import type {
  CreateIntentInput,
  PaymentProvider,
  ProviderEvent,
  ProviderIntent,
  ProviderRefund,
  ProviderResult,
} from './provider.js';
import type { CheckoutInput } from './provider-billing.js';
import { SandboxBilling } from './sandbox-billing.js';

/**
 * THE SANDBOX: a built-in, offline stand-in for a card provider, used when no provider credentials are set. No money
 * moves. It follows Stripe's test payment methods: `pm_card_visa` succeeds (or waits for capture),
 * `pm_card_chargeDeclined` is declined, `pm_card_authenticationRequired` needs 3-D Secure (completed by
 * `POST …/sandbox/authenticate`), `pm_usBankAccount` is `processing` and settles `SANDBOX_SETTLE_SECONDS` later.
 *
 * It keeps no state of its own: ids are derived from the idempotency key (so a retried create answers the same
 * object), and what it answers about a payment is derived from the platform's own record of it. Its asynchronous
 * changes reach the platform as sandbox events through `receiveEvent` and the consumer that applies webhooks' events.
 */
export type SandboxEnv = Pick<PaymentsEnv, 'DB' | 'PAYMENT_EVENTS' | 'SANDBOX_SETTLE_SECONDS' | 'ENVIRONMENT'> &
  Partial<Pick<PaymentsEnv, 'PAYMENT_PLANS'>>;

/** The test payment methods the sandbox knows. */
export const SANDBOX_PAYMENT_METHODS = [
  'pm_card_visa',
  'pm_card_chargeDeclined',
  'pm_card_authenticationRequired',
  'pm_usBankAccount',
] as const;

async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...bytes.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const ok = <T>(value: T): ProviderResult<T> => ({ ok: true, value });

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;

  /** Customers, checkout sessions and subscriptions: sandbox-billing.ts. */
  private readonly billing: SandboxBilling;

  constructor(private readonly env: SandboxEnv) {
    this.billing = new SandboxBilling(env);
  }

  createCustomer(input: { userId: string }, idempotencyKey: string) {
    return this.billing.createCustomer(input, idempotencyKey);
  }

  deleteCustomer(customerId: string) {
    return this.billing.deleteCustomer(customerId);
  }

  createCheckoutSession(input: CheckoutInput) {
    return this.billing.createCheckoutSession(input);
  }

  createSubscription(input: { customerId: string; price: string; reference: string }, idempotencyKey: string) {
    return this.billing.createSubscription(input, idempotencyKey);
  }

  retrieveSubscription(providerId: string) {
    return this.billing.retrieveSubscription(providerId);
  }

  cancelSubscription(providerId: string) {
    return this.billing.cancelSubscription(providerId);
  }

  /** The sandbox's view of a payment: the platform's record of it, as the provider would hold it. */
  private async current(providerId: string) {
    const row = await dbOf(this.env.DB)
      .select()
      .from(paymentIntents)
      .where(and(eq(paymentIntents.provider, 'sandbox'), eq(paymentIntents.providerIntentId, providerId)))
      .get();
    if (!row) return null;
    const intent: ProviderIntent = {
      providerId,
      status: row.status,
      amount: row.amount,
      amountCaptured: row.amountCaptured,
      currency: row.currency,
      updatedAt: Date.now(),
      ...(row.clientSecret ? { clientSecret: row.clientSecret } : {}),
    };
    return { row, intent };
  }

  async createIntent(input: CreateIntentInput): Promise<ProviderResult<ProviderIntent>> {
    const providerId = `sbx_pi_${await digest(input.idempotencyKey)}`;
    return ok({
      providerId,
      status: 'requires_payment_method',
      amount: input.amount,
      amountCaptured: 0,
      currency: input.currency,
      clientSecret: `${providerId}_secret_${await digest(`secret:${providerId}`)}`,
      updatedAt: Date.now(),
    });
  }

  async retrieveIntent(providerId: string): Promise<ProviderResult<ProviderIntent>> {
    const found = await this.current(providerId);
    return found ? ok(found.intent) : { ok: false, kind: 'invalid', message: `No sandbox payment ${providerId}.` };
  }

  async confirmIntent(providerId: string, paymentMethod: string): Promise<ProviderResult<ProviderIntent>> {
    const found = await this.current(providerId);
    if (!found) return { ok: false, kind: 'invalid', message: `No sandbox payment ${providerId}.` };
    const { row, intent } = found;
    const authorised = row.captureMethod === 'manual' ? 'requires_capture' : 'succeeded';
    const captured = authorised === 'succeeded' ? row.amount : 0;
    switch (paymentMethod) {
      case 'pm_card_visa':
        return ok({ ...intent, status: authorised, amountCaptured: captured });
      case 'pm_card_chargeDeclined': {
        const error = { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
        return {
          ok: false,
          kind: 'declined',
          error,
          value: { ...intent, status: 'requires_payment_method', lastError: error },
        };
      }
      case 'pm_card_authenticationRequired':
        return ok({
          ...intent,
          status: 'requires_action',
          approvalUrl: `/api/v1/payments/intents/${row.id}/sandbox/authenticate`,
        });
      case 'pm_usBankAccount': {
        // At least a second: the settlement must not overtake the recording of `processing` it follows.
        const settleSeconds = Math.max(1, Number(this.env.SANDBOX_SETTLE_SECONDS) || 0);
        const processing: ProviderIntent = { ...intent, status: 'processing' };
        // Derived from the attempt (the payment's version), so a retried confirmation schedules the same event.
        await this.emit(
          {
            id: `sbx_evt_${await digest(`${providerId}:settle:${row.version}`)}`,
            provider: 'sandbox',
            type: authorised === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated',
            createdAt: processing.updatedAt + settleSeconds * 1000,
            intent: {
              ...processing,
              status: authorised,
              amountCaptured: captured,
              updatedAt: processing.updatedAt + settleSeconds * 1000,
            },
          },
          settleSeconds,
        );
        return ok(processing);
      }
      default:
        return { ok: false, kind: 'invalid', message: `Unknown sandbox payment method ${paymentMethod}.` };
    }
  }

  /**
   * The buyer's answer on the sandbox's 3-D Secure page, sent as a sandbox event. The event id is derived from the
   * attempt, so answering twice sends one event.
   */
  async authenticate(providerId: string, outcome: 'succeed' | 'fail'): Promise<ProviderEvent | null> {
    const found = await this.current(providerId);
    if (!found) return null;
    const { row, intent } = found;
    const status =
      outcome === 'fail'
        ? 'requires_payment_method'
        : row.captureMethod === 'manual'
          ? 'requires_capture'
          : 'succeeded';
    const event: ProviderEvent = {
      id: `sbx_evt_${await digest(`${providerId}:authenticate:${row.version}`)}`,
      provider: 'sandbox',
      type:
        outcome === 'fail'
          ? 'payment_intent.payment_failed'
          : status === 'succeeded'
            ? 'payment_intent.succeeded'
            : 'payment_intent.amount_capturable_updated',
      createdAt: intent.updatedAt,
      intent: {
        ...intent,
        status,
        amountCaptured: status === 'succeeded' ? row.amount : 0,
        ...(outcome === 'fail'
          ? {
              lastError: {
                code: 'payment_intent_authentication_failure',
                message: '3-D Secure authentication failed.',
              },
            }
          : {}),
      },
    };
    await this.emit(event);
    return event;
  }

  private async emit(event: ProviderEvent, delaySeconds?: number): Promise<void> {
    await receiveEvent(this.env, event, delaySeconds);
  }

  async captureIntent(providerId: string, amount: number | undefined): Promise<ProviderResult<ProviderIntent>> {
    const found = await this.current(providerId);
    if (!found) return { ok: false, kind: 'invalid', message: `No sandbox payment ${providerId}.` };
    const { row, intent } = found;
    const captured = amount ?? row.amount;
    if (captured > row.amount) return { ok: false, kind: 'invalid', message: 'Cannot capture more than the amount.' };
    // As Stripe: one capture settles the payment; what was not captured is released.
    return ok({ ...intent, status: 'succeeded', amountCaptured: captured });
  }

  async cancelIntent(providerId: string): Promise<ProviderResult<ProviderIntent>> {
    const found = await this.current(providerId);
    if (!found) return { ok: false, kind: 'invalid', message: `No sandbox payment ${providerId}.` };
    return ok({ ...found.intent, status: 'canceled' });
  }

  async createRefund(
    paymentProviderId: string,
    amount: number,
    _reason: string | undefined,
    idempotencyKey: string,
  ): Promise<ProviderResult<ProviderRefund>> {
    const found = await this.current(paymentProviderId);
    if (!found) return { ok: false, kind: 'invalid', message: `No sandbox payment ${paymentProviderId}.` };
    return ok({
      providerId: `sbx_re_${await digest(idempotencyKey)}`,
      status: 'succeeded',
      amount,
      currency: found.row.currency,
    });
  }
}
