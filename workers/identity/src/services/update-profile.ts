import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';

/** The profile fields a user changes on themselves; `undefined` leaves a field as it is. */
type ProfileChanges = Partial<Pick<typeof users.$inferInsert, 'name' | 'locale' | 'timezone' | 'avatarFileId'>>;

/** Writes `changes` and a new `passwordHash` (when given) in one UPDATE; nothing when there is nothing to change. */
export async function updateProfile(
  d1: D1Database,
  userId: string,
  changes: ProfileChanges,
  passwordHash?: string,
): Promise<void> {
  // drizzle leaves out the fields that are undefined.
  const set = { ...changes, passwordHash };
  if (Object.values(set).every((value) => value === undefined)) return;
  await dbOf(d1)
    .update(users)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(users.id, userId))
    .run();
}
