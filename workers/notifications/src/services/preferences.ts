import { CATEGORIES, type Category, CHANNELS, type Channel } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preferences } from '../db/schema.js';

/** One category × channel and whether messages of it reach the user. */
export interface Preference {
  category: Category;
  channel: Channel;
  enabled: boolean;
}

/**
 * What applies without an explicit choice: everything on except marketing, which needs an opt-in. Security is
 * always on whatever is stored, so an account can always be warned about itself.
 */
function defaultEnabled(category: Category): boolean {
  return category !== 'marketing';
}

/** Every category × channel with its effective value for `userId`. */
export async function preferencesOf(db: Db, userId: string): Promise<Preference[]> {
  const rows = await db
    .select({ category: preferences.category, channel: preferences.channel, enabled: preferences.enabled })
    .from(preferences)
    .where(eq(preferences.userId, userId));
  const stored = new Map(rows.map((r) => [`${r.category}:${r.channel}`, r.enabled]));
  return CATEGORIES.flatMap((category) =>
    CHANNELS.map((channel) => ({
      category,
      channel,
      enabled: category === 'security' ? true : (stored.get(`${category}:${channel}`) ?? defaultEnabled(category)),
    })),
  );
}

/** The channels among `channels` that `userId` accepts messages of `category` on. */
export async function allowedChannels(
  db: Db,
  userId: string,
  category: Category,
  channels: Channel[],
): Promise<Channel[]> {
  if (category === 'security') return channels;
  const prefs = await preferencesOf(db, userId);
  return channels.filter((ch) => prefs.some((p) => p.category === category && p.channel === ch && p.enabled));
}

/**
 * Stores explicit choices (the caller has already refused security changes). An upsert per pair: repeating the
 * same request changes nothing, and the last of two racing writes wins per pair.
 */
export async function setPreferences(db: Db, userId: string, changes: Preference[]): Promise<void> {
  const updatedAt = new Date().toISOString();
  const [first, ...rest] = changes.map((p) =>
    db
      .insert(preferences)
      .values({ userId, category: p.category, channel: p.channel, enabled: p.enabled, updatedAt })
      .onConflictDoUpdate({
        target: [preferences.userId, preferences.category, preferences.channel],
        set: { enabled: p.enabled, updatedAt },
      }),
  );
  if (first) await db.batch([first, ...rest]);
}
