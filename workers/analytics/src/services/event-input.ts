import { z } from '@hono/zod-openapi';

/** Most `props` keys one event may carry. */
export const MAX_PROPS = 30;
/** Most bytes of JSON one event's `props` may take. */
export const MAX_PROPS_BYTES = 32 * 1024;

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

function minorDigitsOf(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Page URL of an event: an absolute http(s) URL. */
export const EventUrlSchema = z
  .string()
  .max(8192)
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'Must be an absolute http(s) URL.');

/** Custom properties: string values only, at most 30 keys of ≤ 300 characters, values ≤ 2,000, 32 KB in all. */
export const PropsSchema = z
  .record(z.string().min(1).max(300), z.string().max(2000))
  .refine((p) => Object.keys(p).length <= MAX_PROPS, `At most ${MAX_PROPS} properties.`)
  // Keeps one event's queue message well under the 128 KB a message may hold, whatever the characters.
  .refine((p) => new TextEncoder().encode(JSON.stringify(p)).byteLength <= MAX_PROPS_BYTES, 'At most 32 KB in all.')
  .openapi({ description: 'Custom properties: string values only, at most 30 keys and 32 KB of JSON.' });

/**
 * Revenue as Plausible sends it: an amount in major units (number or decimal string) and an ISO 4217 currency;
 * answered as an integer of minor units and the lower-case currency.
 */
export const RevenueSchema = z
  .object({
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/)
      .refine((c) => CURRENCIES.has(c.toUpperCase()), 'Not an ISO 4217 currency.'),
    amount: z.union([z.number().finite(), z.string().regex(/^-?\d{1,12}(\.\d{1,6})?$/, 'Not a decimal amount.')]),
  })
  .transform((r, ctx) => {
    const currency = r.currency.toUpperCase();
    const minor = Math.round(Number(r.amount) * 10 ** minorDigitsOf(currency));
    if (!Number.isSafeInteger(minor) || Math.abs(minor) > 1e15) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Amount out of range.' });
      return z.NEVER;
    }
    return { currency: currency.toLowerCase(), amount: minor };
  })
  .openapi({ description: '`{ currency, amount }`, amount in major units (e.g. `"19.99"`).' });

/** What every ingested event carries, from the tracker or a server's batch. */
export const EventFieldsSchema = z.object({
  name: z.string().min(1).max(120).openapi({ example: 'pageview' }),
  url: EventUrlSchema.openapi({ example: 'https://example.com/pricing?utm_source=news' }),
  referrer: z.string().max(8192).nullish(),
  props: PropsSchema.nullish(),
  revenue: RevenueSchema.nullish(),
});

/** An event's validated fields. */
export type EventFields = z.infer<typeof EventFieldsSchema>;
