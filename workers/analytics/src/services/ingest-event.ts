import { newId } from '@onasis/contracts';
import type { Site } from '../db/schema.js';
import { enrich } from './enrich.js';
import type { EventFields } from './event-input.js';
import { saltDayOf, saltOf } from './salts.js';
import { localTime } from './site-time.js';
import type { TrackedEvent } from './tracked-event.js';
import { visitorIdOf } from './visitor-id.js';

/** Who sent an event, as far as hashing and enrichment need: never stored as such. */
export interface Sender {
  ip: string;
  userAgent: string;
  /** `request.cf.country`, if any. */
  country: string | undefined;
}

/** One validated event for one site, with what only some callers give. */
export interface Accepted {
  site: Site;
  fields: EventFields;
  sender: Sender;
  /** When it happened, epoch ms. */
  ts: number;
  /** The event id; a random one when the sender gave none. */
  id?: string | undefined;
  userId?: string | null | undefined;
}

/**
 * The queue message of one accepted event: enriched, its visitor hashed with the salt of its UTC day, its day and
 * hour those of the site's time zone. The IP and User-Agent end here.
 */
export async function trackedEventOf(env: AnalyticsEnv, event: Accepted, now = Date.now()): Promise<TrackedEvent> {
  const { site, fields, sender, ts } = event;
  const salt = await saltOf(env, saltDayOf(ts, now));
  const { date, hour } = localTime(ts, site.timezone);
  return {
    kind: 'event',
    id: event.id ?? newId('evt'),
    siteId: site.id,
    ts,
    date,
    hour,
    visitorId: await visitorIdOf(salt, site.id, sender.ip, sender.userAgent),
    userId: event.userId ?? null,
    name: fields.name,
    ...enrich({
      url: new URL(fields.url),
      referrer: fields.referrer,
      userAgent: sender.userAgent,
      country: sender.country,
    }),
    props: fields.props && Object.keys(fields.props).length > 0 ? fields.props : null,
    revenue: fields.revenue?.amount ?? null,
    currency: fields.revenue?.currency ?? null,
  };
}
