import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { afterPosition } from '../db/after-position.js';
import type { Db } from '../db/client.js';
import { inboxItems } from '../db/schema.js';

/** An inbox item as stored. */
export type InboxItemRow = typeof inboxItems.$inferSelect;

// Every query is scoped to the caller, so another user's items do not exist here.

/** The user's inbox items newest first, after a list cursor, one more than `limit` to tell if more exist. */
export function listInbox(
  db: Db,
  userId: string,
  query: { cursor: string | undefined; limit: number; unreadOnly: boolean },
): Promise<InboxItemRow[]> {
  return db
    .select()
    .from(inboxItems)
    .where(
      and(
        eq(inboxItems.userId, userId),
        query.unreadOnly ? isNull(inboxItems.readAt) : undefined,
        afterPosition(inboxItems, query.cursor),
      ),
    )
    .orderBy(desc(inboxItems.createdAt), desc(inboxItems.id))
    .limit(query.limit + 1);
}

/** How many of the user's items are unread. */
export async function countUnread(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(inboxItems)
    .where(and(eq(inboxItems.userId, userId), isNull(inboxItems.readAt)));
  return row?.n ?? 0;
}

/** Marks one of the user's items read, keeping the first read time; null when the user has no such item. */
export async function markRead(db: Db, userId: string, id: string): Promise<InboxItemRow | null> {
  const [row] = await db
    .update(inboxItems)
    // Raw SQL: keep a read time already set; drizzle has no coalesce.
    .set({ readAt: sql`coalesce(${inboxItems.readAt}, ${new Date().toISOString()})` })
    .where(and(eq(inboxItems.id, id), eq(inboxItems.userId, userId)))
    .returning();
  return row ?? null;
}

/** Marks every unread item of the user read; answers how many this call marked. */
export async function markAllRead(db: Db, userId: string): Promise<number> {
  const { meta } = await db
    .update(inboxItems)
    .set({ readAt: new Date().toISOString() })
    .where(and(eq(inboxItems.userId, userId), isNull(inboxItems.readAt)));
  return meta.changes ?? 0;
}
