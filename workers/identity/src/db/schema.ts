import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { JWK } from 'jose';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/** Accounts. `email` is stored normalised (trimmed, lower-cased) so uniqueness holds across spellings. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  emailVerifiedAt: text('email_verified_at'),
  name: text('name'),
  // Algorithm and parameters travel inside the hash string so that they can be upgraded at login.
  passwordHash: text('password_hash'),
  status: text('status', { enum: ['active', 'disabled'] })
    .notNull()
    .default('active'),
  createdAt: createdAt(),
  updatedAt: text('updated_at'),
});

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

/**
 * Token-signing keys. The public half is published at /.well-known/jwks.json until the key is retired; the private
 * half is stored only encrypted with KEY_ENCRYPTION_KEY (AES-GCM, the kid as additional data).
 */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull().default('ES256'),
  publicJwk: text('public_jwk', { mode: 'json' }).$type<JWK>().notNull(),
  privateJwkEncrypted: text('private_jwk_encrypted'),
  createdAt: createdAt(),
  retiredAt: text('retired_at'),
});
