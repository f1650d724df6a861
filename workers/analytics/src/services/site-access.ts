import type { Principal } from '@onasis/contracts';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type Site, sites } from '../db/schema.js';

/** Whether the caller may read and manage every site (`analytics:manage`), not only their own. */
export const isAnalyticsAdmin = (caller: Principal) => caller.permissions.includes('analytics:manage');

/**
 * The live site `id` if the caller owns it or holds `analytics:manage`; null otherwise, so that another user's
 * site answers exactly as a missing one (404).
 */
export async function findSiteFor(db: Db, caller: Principal, id: string): Promise<Site | null> {
  const site = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, id), isNull(sites.deletedAt)))
    .get();
  if (!site) return null;
  return site.ownerId === caller.userId || isAnalyticsAdmin(caller) ? site : null;
}
