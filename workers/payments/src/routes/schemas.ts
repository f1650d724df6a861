import { z } from '@hono/zod-openapi';
import { INTENT_STATUSES, PROVIDER_NAMES } from '../providers/provider.js';
import { CARD_NUMBER_MESSAGE, looksLikeCardNumber } from '../services/card-numbers.js';
import { amountProblem, currencyRule } from '../services/currencies.js';

/** A free-text field that refuses anything shaped like a card number. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !looksLikeCardNumber(s), CARD_NUMBER_MESSAGE);

/** Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500; no card numbers in either. */
const MetadataSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(40)
      .refine((s) => !looksLikeCardNumber(s), CARD_NUMBER_MESSAGE),
    text(500),
  )
  .refine((m) => Object.keys(m).length <= 50, 'At most 50 keys.');

/** An ISO 4217 code in any case, answered lower-case. */
const CurrencySchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine((s) => currencyRule(s) !== undefined, 'Not an ISO 4217 currency this API takes.')
  .openapi({ example: 'usd' });

/** A positive integer amount in minor units. */
const AmountSchema = z
  .number()
  .int()
  .positive()
  .openapi({ example: 2000, description: 'Minor units: 2000 is $20.00.' });

/** `POST /api/v1/payments/intents`. */
export const CreateIntentSchema = z
  .object({
    amount: AmountSchema,
    currency: CurrencySchema,
    description: text(1000).optional(),
    metadata: MetadataSchema.optional(),
    captureMethod: z.enum(['automatic', 'manual']).default('automatic'),
    provider: z.enum(PROVIDER_NAMES).optional(),
  })
  .superRefine((body, ctx) => {
    const problem = amountProblem(body.amount, body.currency);
    if (problem) ctx.addIssue({ code: 'custom', path: ['amount'], message: problem });
  })
  .openapi('CreatePaymentIntent');

/** `POST …/{id}/confirm`. */
export const ConfirmSchema = z
  .object({ paymentMethod: text(100).openapi({ example: 'pm_card_visa' }) })
  .openapi('ConfirmPaymentIntent');

/** `POST …/{id}/capture`. */
export const CaptureSchema = z.object({ amount: AmountSchema.optional() }).openapi('CapturePaymentIntent');

/** `POST …/{id}/refunds`. */
export const CreateRefundSchema = z
  .object({ amount: AmountSchema.optional(), reason: text(500).optional() })
  .openapi('CreateRefund');

/** `POST …/{id}/sandbox/authenticate`. */
export const AuthenticateSchema = z.object({ outcome: z.enum(['succeed', 'fail']) }).openapi('SandboxAuthentication');

/** A payment as the API shows it. */
export const PaymentSchema = z
  .object({
    id: z.string().openapi({ example: 'pay_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    userId: z.string().openapi({ description: 'Who pays.' }),
    status: z.enum(INTENT_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    provider: z.enum(PROVIDER_NAMES),
    captureMethod: z.enum(['automatic', 'manual']),
    clientSecret: z.string().optional().openapi({ description: "For the owner to confirm with the provider's UI." }),
    approvalUrl: z.string().optional().openapi({ description: 'Where the buyer approves (3-D Secure, PayPal).' }),
    amountCaptured: z.number().int(),
    amountRefunded: z.number().int(),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    lastError: z.object({ code: z.string(), declineCode: z.string().optional(), message: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PaymentIntent');

/** A refund as the API shows it. */
export const RefundSchema = z
  .object({
    id: z.string().openapi({ example: 're_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    paymentId: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed', 'canceled']),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Refund');

/** `{id}` of the payment routes. */
export const PaymentIdParams = z.object({
  id: z.string().min(1).max(64).openapi({ example: 'pay_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
});

/** `?status=&provider=&userId=` of the payment list (`userId` for `payments:manage` only). */
export const IntentFilterSchema = z.object({
  status: z.enum(INTENT_STATUSES).optional(),
  provider: z.enum(PROVIDER_NAMES).optional(),
  userId: z.string().min(1).max(64).optional(),
});
