import { newId, type Principal } from '@onasis/contracts';
import { AppError, afterCreatedAt } from '@onasis/http';
import { and, desc, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type Site, sites } from '../db/schema.js';
import { ingestKeyHash, newIngestKey } from './ingest-keys.js';
import { isAnalyticsAdmin } from './site-access.js';
import { forgetDomain } from './site-lookup.js';

/** A site as the API answers it: never its ingest key or the key's hash. */
export interface SiteView {
  id: string;
  domain: string;
  name: string;
  timezone: string;
  ownerId: string;
  createdAt: string;
}

/** The API's view of a site row. */
export const siteView = (s: Site): SiteView => ({
  id: s.id,
  domain: s.domain,
  name: s.name,
  timezone: s.timezone,
  ownerId: s.ownerId,
  createdAt: s.createdAt,
});

/** A validated create request: `domain` already normalised, `timezone` known. */
export interface NewSite {
  domain: string;
  name: string;
  timezone: string;
  ownerId?: string | undefined;
}

/**
 * Creates a site and answers it with its ingest key, the only time the key is shown (only its SHA-256 is kept).
 * `ownerId` other than the caller needs `analytics:manage` (403 otherwise). One INSERT that yields to the partial
 * unique index on live domains: a retry, or a concurrent create of the same domain, finds the first site there and
 * answers 409 `SITE_DOMAIN_TAKEN` (through the gateway's Idempotency-Key a retry replays the 201 instead). An
 * interrupted create leaves either no row or a whole one.
 */
export async function createSite(db: Db, caller: Principal, input: NewSite) {
  const ownerId = input.ownerId ?? caller.userId;
  if (ownerId !== caller.userId && !isAnalyticsAdmin(caller)) {
    throw new AppError('FORBIDDEN', 'Only an analytics admin (`analytics:manage`) creates sites for another user.');
  }
  const ingestKey = newIngestKey();
  const [row] = await db
    .insert(sites)
    .values({
      id: newId('sit'),
      ownerId,
      domain: input.domain,
      name: input.name,
      timezone: input.timezone,
      ingestKeyHash: await ingestKeyHash(ingestKey),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new AppError('SITE_DOMAIN_TAKEN', `Another site already tracks ${input.domain}.`);
  return { ...siteView(row), ingestKey };
}

/** One page (plus one row) of live sites, newest first: the caller's own, or every one for `analytics:manage`. */
export function listSites(
  db: Db,
  caller: Principal,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
) {
  const conditions: (SQL | undefined)[] = [isNull(sites.deletedAt), afterCreatedAt(sites, after, 'desc')];
  if (!isAnalyticsAdmin(caller)) conditions.push(eq(sites.ownerId, caller.userId));
  return db
    .select()
    .from(sites)
    .where(and(...conditions))
    .orderBy(desc(sites.createdAt), desc(sites.id))
    .limit(limit + 1);
}

/**
 * Marks a live site deleted (its owner's or any, for `analytics:manage`); the purge job removes its events and
 * rollups later, and its domain is free at once. A repeat, like another user's or an unknown site, is a 404 that
 * changes nothing. Ingest isolates may keep accepting the domain for up to a minute (see site-lookup.ts).
 */
export async function deleteSite(db: Db, caller: Principal, id: string): Promise<void> {
  const conditions: (SQL | undefined)[] = [eq(sites.id, id), isNull(sites.deletedAt)];
  if (!isAnalyticsAdmin(caller)) conditions.push(eq(sites.ownerId, caller.userId));
  const gone = await db
    .update(sites)
    .set({ deletedAt: new Date().toISOString() })
    .where(and(...conditions))
    .returning({ domain: sites.domain });
  const [site] = gone;
  if (!site) throw new AppError('NOT_FOUND', `No site ${id}.`);
  forgetDomain(site.domain);
}
