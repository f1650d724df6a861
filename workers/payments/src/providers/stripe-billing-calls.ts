import Stripe from 'stripe';
import type { PaymentProvider, ProviderResult } from './provider.js';
import type { CheckoutInput } from './provider-billing.js';
import { checkoutSessionOf, subscriptionOf } from './stripe-billing-objects.js';
import { failureOf } from './stripe-errors.js';

type BillingCalls = Required<
  Pick<
    PaymentProvider,
    | 'createCustomer'
    | 'deleteCustomer'
    | 'createCheckoutSession'
    | 'createSubscription'
    | 'retrieveSubscription'
    | 'cancelSubscription'
  >
>;

async function call<T>(run: () => Promise<T>): Promise<ProviderResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return failureOf<T>(err);
  }
}

/** What a Checkout Session sells: one-off items priced inline, or the plan's recurring price. */
function lineItemsOf(input: CheckoutInput): Stripe.Checkout.SessionCreateParams.LineItem[] {
  if (input.price !== undefined) return [{ price: input.price, quantity: 1 }];
  return (input.lineItems ?? []).map((item) => ({
    quantity: item.quantity,
    price_data: { currency: item.currency, unit_amount: item.amount, product_data: { name: item.name } },
  }));
}

/**
 * Stripe's customers, Checkout and subscriptions behind the provider interface. Every creating call carries the
 * caller's idempotency key (`cus:<provider>:<usr>`, `<cs_id>:create`, `<sub_id>:create`, `<sub_id>:cancel`), so a call repeated
 * after a lost answer gets Stripe's first object back.
 */
export function stripeBillingCalls(stripe: Stripe): BillingCalls {
  const now = Date.now;
  return {
    createCustomer: (input, idempotencyKey) =>
      call(async () => {
        const customer = await stripe.customers.create(
          { metadata: { userId: input.userId }, ...(input.email !== undefined && { email: input.email }) },
          { idempotencyKey },
        );
        return { customerId: customer.id };
      }),
    deleteCustomer: async (customerId) => {
      try {
        await stripe.customers.del(customerId);
      } catch (err) {
        // Already gone is what was asked for.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing')) {
          return failureOf(err);
        }
      }
      return { ok: true, value: { deleted: true } };
    },
    createCheckoutSession: (input) =>
      call(async () =>
        checkoutSessionOf(
          await stripe.checkout.sessions.create(
            {
              mode: input.mode,
              client_reference_id: input.reference,
              line_items: lineItemsOf(input),
              success_url: input.successUrl,
              cancel_url: input.cancelUrl,
              ...(input.customerId !== undefined && { customer: input.customerId }),
              metadata: { reference: input.reference },
            },
            { idempotencyKey: input.idempotencyKey },
          ),
          now(),
        ),
      ),
    createSubscription: (input, idempotencyKey) =>
      call(async () =>
        subscriptionOf(
          await stripe.subscriptions.create(
            {
              customer: input.customerId,
              items: [{ price: input.price }],
              // Active only once the first invoice is paid; the buyer pays it with the confirmation secret.
              payment_behavior: 'default_incomplete',
              metadata: { reference: input.reference },
              expand: ['latest_invoice.confirmation_secret'],
            },
            { idempotencyKey },
          ),
          now(),
        ),
      ),
    retrieveSubscription: (providerId) =>
      call(async () => subscriptionOf(await stripe.subscriptions.retrieve(providerId), now())),
    cancelSubscription: (providerId, idempotencyKey) =>
      call(async () =>
        subscriptionOf(
          await stripe.subscriptions.update(providerId, { cancel_at_period_end: true }, { idempotencyKey }),
          now(),
        ),
      ),
  };
}
