// Accounts and their roles: the tables every other table of identity's database hangs off.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

/** Accounts. `email` is stored normalised (trimmed, lower-cased) so uniqueness holds across spellings. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull().unique(),
    emailVerifiedAt: text('email_verified_at'),
    name: text('name'),
    locale: text('locale'),
    timezone: text('timezone'),
    /** A file id in the files service; identity does not check that it exists. */
    avatarFileId: text('avatar_file_id'),
    // Algorithm and parameters travel inside the hash string so that they can be upgraded at login.
    passwordHash: text('password_hash'),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    /** Billing plan, which sets the gateway's monthly request quota; payments moves users between plans. */
    plan: text('plan').notNull().default('free'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [index('users_created_idx').on(t.createdAt, t.id)],
);

/** Named groups of permission strings; built-in roles cannot be deleted. */
export const roles = sqliteTable('roles', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  permissions: text('permissions', { mode: 'json' }).$type<string[]>().notNull(),
  builtIn: integer('built_in', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

/** Which roles each user holds. */
export const userRoles = sqliteTable(
  'user_roles',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role')
      .notNull()
      .references(() => roles.name, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] }), index('user_roles_role_idx').on(t.role)],
);
