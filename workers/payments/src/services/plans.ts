import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from '../providers/provider.js';
import { amountProblem, currencyRule } from './currencies.js';

/** One plan of `PAYMENT_PLANS`: what it costs, how often, and its price id at each provider. */
const PlanSchema = z
  .object({
    name: z.string().min(1).max(100),
    amount: z.number().int().positive(),
    currency: z
      .string()
      .transform((s) => s.toLowerCase())
      .refine((s) => currencyRule(s) !== undefined, 'not an ISO 4217 currency'),
    interval: z.enum(['day', 'week', 'month', 'year']),
    prices: z.partialRecord(z.enum(PROVIDER_NAMES), z.string().min(1)),
  })
  .superRefine((plan, ctx) => {
    const problem = amountProblem(plan.amount, plan.currency);
    if (problem) ctx.addIssue({ code: 'custom', path: ['amount'], message: problem });
  });

// Plan ids are the keys of the gateway's QUOTA_PLANS too; `free` is what a user falls back to, never sold.
const PlansSchema = z.record(
  z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,63}$/)
    .refine((id) => id !== 'free', '`free` is not for sale'),
  PlanSchema,
);

/** A plan users can subscribe to. */
export type Plan = z.infer<typeof PlanSchema> & { id: string };

/** The plan every user without a live subscription is on. */
export const FREE_PLAN = 'free';

let cached: { raw: string; plans: Map<string, Plan> } | undefined;

/**
 * The plans of `PAYMENT_PLANS`, parsed once per isolate (again only when the setting itself differs, as between test
 * bindings). A malformed setting throws: a deployment that cannot say what it sells must not sell anything.
 */
export function plansOf(env: Pick<PaymentsEnv, 'PAYMENT_PLANS'>): Map<string, Plan> {
  const raw = env.PAYMENT_PLANS ?? '{}';
  if (cached?.raw === raw) return cached.plans;
  const parsed = PlansSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`PAYMENT_PLANS is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  const plans = new Map(Object.entries(parsed.data).map(([id, plan]) => [id, { ...plan, id }]));
  cached = { raw, plans };
  return plans;
}

/** The plan named `id`, or undefined. */
export const planNamed = (env: Pick<PaymentsEnv, 'PAYMENT_PLANS'>, id: string) => plansOf(env).get(id);

/** The plan whose price at `provider` is `price`, or undefined (a price sold outside the platform's plans). */
export function planOfPrice(
  env: Pick<PaymentsEnv, 'PAYMENT_PLANS'>,
  provider: ProviderName,
  price: string,
): Plan | undefined {
  for (const plan of plansOf(env).values()) if (plan.prices[provider] === price) return plan;
  return undefined;
}

/** A plan as `GET /plans` answers it: no provider price ids. */
export const toPlanView = (plan: Plan) => ({
  id: plan.id,
  name: plan.name,
  amount: plan.amount,
  currency: plan.currency,
  interval: plan.interval,
});
