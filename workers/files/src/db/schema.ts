import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** Metadata of an object stored in R2; the object key is derived from the id, never from the client's file name. */
export const files = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    objectKey: text('object_key').notNull().unique(),
    status: text('status', { enum: ['pending', 'ready', 'deleted'] })
      .notNull()
      .default('pending'),
    createdAt: createdAt(),
    deletedAt: text('deleted_at'),
  },
  (t) => [index('files_owner_idx').on(t.ownerId, t.createdAt)],
);
