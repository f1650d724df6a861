import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { owners } from '../db/schema.js';

/** Who stores a file and under which plan: the quota follows the plan. */
export interface Owner {
  userId: string;
  plan: string;
}

/** Whether the caller may act on every user's files (`files:manage`). */
export const isFilesAdmin = (caller: Principal) => caller.permissions.includes('files:manage');

/**
 * The caller as an owner. The plan the gateway verified is remembered, so that requests it did not authenticate (S3
 * calls, upload URLs) still meet the right quota; the write happens only when the plan changed.
 */
export async function ownerOf(db: Db, caller: Principal | undefined): Promise<Owner> {
  if (!caller) throw new AppError('UNAUTHENTICATED', 'Sign in to use files.');
  const plan = caller.plan ?? 'free';
  const known = await db.select({ plan: owners.plan }).from(owners).where(eq(owners.userId, caller.userId)).get();
  if (known?.plan !== plan) {
    await db
      .insert(owners)
      .values({ userId: caller.userId, plan })
      .onConflictDoUpdate({
        target: owners.userId,
        set: { plan, updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))` },
      });
  }
  return { userId: caller.userId, plan };
}

/** The owner of `userId` with the plan last seen for them (`free` when never seen). */
export async function storedOwner(db: Db, userId: string): Promise<Owner> {
  const known = await db.select({ plan: owners.plan }).from(owners).where(eq(owners.userId, userId)).get();
  return { userId, plan: known?.plan ?? 'free' };
}
