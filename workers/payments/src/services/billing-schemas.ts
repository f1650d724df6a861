import { z } from '@hono/zod-openapi';
import { SUBSCRIPTION_STATUSES } from '../providers/provider-billing.js';
import { CARD_NUMBER_MESSAGE, looksLikeCardNumber } from './card-numbers.js';
import { amountProblem, currencyRule, MAX_AMOUNT } from './currencies.js';

// Request and answer shapes of the billing routes: checkout sessions, plans, subscriptions, invoices.

const PlanIdSchema = z.string().min(1).max(64).openapi({ example: 'pro' });

const LineItemSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(250)
    .refine((s) => !looksLikeCardNumber(s), CARD_NUMBER_MESSAGE),
  amount: z.number().int().positive().max(MAX_AMOUNT).openapi({ example: 1500, description: 'Minor units, each.' }),
  currency: z
    .string()
    .transform((s) => s.toLowerCase())
    .refine((s) => currencyRule(s) !== undefined, 'Not an ISO 4217 currency this API takes.'),
  quantity: z.number().int().min(1).max(100).default(1),
});

const UrlSchema = z.string().max(2048).url().openapi({ example: 'https://app.example.com/checkout/done' });

/** `POST /api/v1/payments/checkout-sessions`: a plan (mode subscription) or 1–20 items in one currency (mode payment). */
export const CreateCheckoutSchema = z
  .object({
    mode: z.enum(['payment', 'subscription']),
    plan: PlanIdSchema.optional(),
    lineItems: z.array(LineItemSchema).min(1).max(20).optional(),
    successUrl: UrlSchema,
    cancelUrl: UrlSchema,
  })
  .superRefine((body, ctx) => {
    if (body.mode === 'subscription') {
      if (body.plan === undefined)
        ctx.addIssue({ code: 'custom', path: ['plan'], message: 'Required in mode subscription.' });
      if (body.lineItems !== undefined)
        ctx.addIssue({ code: 'custom', path: ['lineItems'], message: 'Not taken in mode subscription.' });
      return;
    }
    if (body.plan !== undefined)
      ctx.addIssue({ code: 'custom', path: ['plan'], message: 'Not taken in mode payment.' });
    const items = body.lineItems;
    if (items === undefined) {
      ctx.addIssue({ code: 'custom', path: ['lineItems'], message: 'Required in mode payment.' });
      return;
    }
    const currency = items[0]?.currency ?? '';
    if (items.some((i) => i.currency !== currency)) {
      ctx.addIssue({ code: 'custom', path: ['lineItems'], message: 'All items must be in one currency.' });
      return;
    }
    const problem = amountProblem(
      items.reduce((sum, i) => sum + i.amount * i.quantity, 0),
      currency,
    );
    if (problem) ctx.addIssue({ code: 'custom', path: ['lineItems'], message: `The total: ${problem}` });
  })
  .openapi('CreateCheckoutSession');

/** A validated checkout request. */
export type CreateCheckoutRequest = z.infer<typeof CreateCheckoutSchema>;

/** A checkout session as the API shows it. */
export const CheckoutSessionSchema = z
  .object({
    id: z.string().openapi({ example: 'cs_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    url: z
      .string()
      .nullable()
      .openapi({ description: "Where to send the buyer: the provider's page, or the sandbox's." }),
    status: z.enum(['open', 'complete', 'expired']),
    mode: z.enum(['payment', 'subscription']),
    provider: z.string(),
    plan: z.string().nullable(),
    lineItems: z.array(z.object({ name: z.string(), amount: z.number(), currency: z.string(), quantity: z.number() })),
    amountTotal: z.number().int(),
    currency: z.string(),
    successUrl: z.string(),
    cancelUrl: z.string(),
    paymentId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('CheckoutSession');

/** A plan as `GET /plans` answers it. */
export const PlanSchema = z
  .object({
    id: PlanIdSchema,
    name: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    interval: z.enum(['day', 'week', 'month', 'year']),
  })
  .openapi('Plan');

/** `POST /api/v1/payments/subscriptions`. */
export const CreateSubscriptionSchema = z.object({ plan: PlanIdSchema }).openapi('CreateSubscription');

/** A subscription as the API shows it. */
export const SubscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'sub_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    plan: z.string(),
    status: z.enum(SUBSCRIPTION_STATUSES),
    provider: z.string(),
    currentPeriodEnd: z.string().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    graceUntil: z.string().nullable().openapi({ description: 'While past due: the plan is kept until then.' }),
    clientSecret: z.string().optional().openapi({ description: 'To confirm the first payment, right after creating.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Subscription');

/** An invoice as the API shows it. */
export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ example: 'inv_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    subscriptionId: z.string().nullable(),
    status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']),
    amountDue: z.number().int(),
    amountPaid: z.number().int(),
    currency: z.string(),
    attemptCount: z.number().int(),
    nextPaymentAttempt: z.string().nullable(),
    hostedInvoiceUrl: z.string().nullable(),
    paymentId: z.string().nullable(),
    periodStart: z.string().nullable(),
    periodEnd: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Invoice');

/** `{id}` of the checkout routes. */
export const CheckoutIdParams = z.object({
  id: z.string().min(1).max(64).openapi({ example: 'cs_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
});

/** `?userId=` for a caller with `payments:manage`. */
export const UserFilterSchema = z.object({ userId: z.string().min(1).max(64).optional() });
