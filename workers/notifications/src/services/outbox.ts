import type { Channel } from '@onasis/contracts';
import { and, desc, eq } from 'drizzle-orm';
import { afterPosition } from '../db/after-position.js';
import type { Db } from '../db/client.js';
import { deliveries } from '../db/schema.js';
import type { DeliveryRow } from './deliveries.js';

/** Whether this deployment has a sandbox outbox: the sandbox provider runs only where `ENVIRONMENT` is `local`. */
export function hasOutbox(environment: string | undefined): boolean {
  return environment === 'local';
}

/**
 * What the sandbox provider "sent", newest first, one more than `limit` to tell if more exist. No index names the
 * provider: the outbox is a local-development view, over a local database.
 */
export function listOutbox(
  db: Db,
  filter: { channel?: Channel },
  cursor: string | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.provider, 'sandbox'),
        filter.channel === undefined ? undefined : eq(deliveries.channel, filter.channel),
        afterPosition(deliveries, cursor),
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit + 1);
}
