import { CATEGORIES, type Category, CHANNELS, type Channel } from '@onasis/contracts';

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
export function defaultEnabled(category: Category): boolean {
  return category !== 'marketing';
}

/** Every category × channel with its effective value for `userId`. */
export async function preferencesOf(db: D1Database, userId: string): Promise<Preference[]> {
  const { results } = await db
    .prepare('SELECT category, channel, enabled FROM preferences WHERE user_id = ?')
    .bind(userId)
    .all<{ category: string; channel: string; enabled: number }>();
  const stored = new Map(results.map((r) => [`${r.category}:${r.channel}`, r.enabled === 1]));
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
  db: D1Database,
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
export async function setPreferences(db: D1Database, userId: string, changes: Preference[]): Promise<void> {
  if (changes.length === 0) return;
  const now = new Date().toISOString();
  await db.batch(
    changes.map((p) =>
      db
        .prepare(
          `INSERT INTO preferences (user_id, category, channel, enabled, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id, category, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
        )
        .bind(userId, p.category, p.channel, p.enabled ? 1 : 0, now),
    ),
  );
}
