import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type Site, sites } from '../db/schema.js';
import { ingestKeyHash } from './ingest-keys.js';

/** How long an isolate trusts what it learned of a domain: a deleted site may receive events this long after. */
export const DOMAIN_CACHE_MS = 60_000;
const MAX_CACHED_DOMAINS = 1000;

type Cached = { site: Site | null; until: number };
const byDomain = new Map<string, Cached>();

/**
 * The live sites tracking `domains` (normalised), from this isolate's cache where fresh and one D1 query for the
 * rest. Unknown domains are cached too, so a flood of events for one cannot reach D1 more than once a minute.
 */
export async function sitesForDomains(db: Db, domains: string[], now = Date.now()): Promise<Site[]> {
  const found: Site[] = [];
  const missing: string[] = [];
  for (const domain of domains) {
    const hit = byDomain.get(domain);
    if (hit && hit.until > now) {
      if (hit.site) found.push(hit.site);
    } else missing.push(domain);
  }
  if (missing.length === 0) return found;
  const rows = await db
    .select()
    .from(sites)
    .where(and(inArray(sites.domain, missing), isNull(sites.deletedAt)))
    .all();
  for (const domain of missing) {
    const site = rows.find((r) => r.domain === domain) ?? null;
    // Oldest first out: a Map iterates in insertion order.
    if (byDomain.size >= MAX_CACHED_DOMAINS) byDomain.delete(byDomain.keys().next().value ?? '');
    byDomain.set(domain, { site, until: now + DOMAIN_CACHE_MS });
    if (site) found.push(site);
  }
  return found;
}

/** Forgets what this isolate cached of `domain` (a site was deleted here; other isolates learn within a minute). */
export function forgetDomain(domain: string): void {
  byDomain.delete(domain);
}

/** The live site whose ingest key is `key`, or null. */
export async function siteForIngestKey(db: Db, key: string): Promise<Site | null> {
  const site = await db
    .select()
    .from(sites)
    .where(and(eq(sites.ingestKeyHash, await ingestKeyHash(key)), isNull(sites.deletedAt)))
    .get();
  return site ?? null;
}
