import { z } from '@hono/zod-openapi';
import { isbot } from 'isbot';
import type { Db } from '../db/client.js';
import { utcDay } from '../durable-objects/visitor-salts.js';
import { normaliseDomain } from './domain.js';
import { EventFieldsSchema } from './event-input.js';
import { type Sender, trackedEventOf } from './ingest-event.js';
import { sitesForDomains } from './site-lookup.js';
import type { AnalyticsMessage, DropReason } from './tracked-event.js';

/** Most sites one event may name (Plausible's comma-separated rollup domains). */
export const MAX_EVENT_DOMAINS = 10;

/** The tracker's body: Plausible's event API, `domain` listing one or several comma-separated sites. */
export const PageEventSchema = EventFieldsSchema.extend({
  domain: z
    .string()
    .min(1)
    .max(2000)
    .refine((d) => d.split(',').length <= MAX_EVENT_DOMAINS, `At most ${MAX_EVENT_DOMAINS} domains.`)
    .openapi({ example: 'example.com' }),
}).openapi('TrackedEventRequest');

/** A validated tracker event. */
export type PageEvent = z.infer<typeof PageEventSchema>;

// Plausible's script sends one-letter keys; the long name wins where a body carries both.
const SHORT_KEYS: Readonly<Record<string, string>> = {
  n: 'name',
  u: 'url',
  d: 'domain',
  r: 'referrer',
  p: 'props',
  $: 'revenue',
};

/** A Plausible body with its short keys (`n`, `u`, `d`, `r`, `p`, `$`) spelt out; anything else as it is. */
export function expandShortKeys(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) out[SHORT_KEYS[key] ?? key] ??= value;
  for (const [key, value] of Object.entries(body)) if (!(key in SHORT_KEYS)) out[key] = value;
  return out;
}

/**
 * The queue messages one tracker event makes: one per live site its `domain` names, or a single drop (no
 * User-Agent, a bot, no known site), which the consumer counts and the sender never learns of. Nothing is sent here.
 */
export async function messagesForPageEvent(
  env: AnalyticsEnv,
  db: Db,
  event: PageEvent,
  sender: Sender,
  now = Date.now(),
): Promise<AnalyticsMessage[]> {
  const drop = (reason: DropReason): AnalyticsMessage[] => [{ kind: 'drop', reason, date: utcDay(now) }];
  if (sender.userAgent === '') return drop('no_user_agent');
  if (isbot(sender.userAgent)) return drop('bot');
  const domains = [...new Set(event.domain.split(',').map(normaliseDomain))].filter((d): d is string => d !== null);
  const sites = await sitesForDomains(db, domains, now);
  if (sites.length === 0) return drop('unknown_domain');
  return Promise.all(sites.map((site) => trackedEventOf(env, { site, fields: event, sender, ts: now }, now)));
}
