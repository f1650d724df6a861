import { index, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Weeks (the site-local Monday, `YYYY-MM-DD`) in which an identified user sent an event: weekly retention cohorts.
 * Kept past the raw-event purge; erased with the user.
 */
export const userWeeks = sqliteTable(
  'user_weeks',
  {
    siteId: text('site_id').notNull(),
    userId: text('user_id').notNull(),
    week: text('week').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.week, t.userId] }), index('user_weeks_user_idx').on(t.userId)],
);
