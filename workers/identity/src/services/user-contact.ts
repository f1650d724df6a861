import type { UserContact } from '@onasis/contracts';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { users } from '../db/schema.js';

/** Where to reach an active user, or null for an unknown or disabled one. */
export async function contactOf(db: D1Database, userId: string): Promise<UserContact | null> {
  // Only the columns a message needs: every notification to a user asks this.
  const [user] = await drizzle(db)
    .select({
      userId: users.id,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      locale: users.locale,
      name: users.name,
    })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.status, 'active')));
  if (!user) return null;
  const { emailVerifiedAt, ...contact } = user;
  return { ...contact, emailVerified: emailVerifiedAt !== null };
}
