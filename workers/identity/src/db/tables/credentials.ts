// What proves a user is who they say: one-time email tokens, MFA factors and recovery codes, social-login links and
// states, API keys.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.js';
import { createdAt } from './columns.js';

/**
 * One-time tokens sent by email: address verification, password reset and email change. Only the SHA-256 of the
 * token is stored; a token is spent by setting `used_at` in the same statement that checks it.
 */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify_email', 'reset_password', 'change_email'] }).notNull(),
    /** The address the token proves control of (the new one for an email change). */
    email: text('email').notNull(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('email_tokens_user_idx').on(t.userId, t.purpose)],
);

/** A user's TOTP factor. The secret is sealed with KEY_ENCRYPTION_KEY; `last_used_step` makes each code single use. */
export const mfaFactors = sqliteTable('mfa_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretEncrypted: text('secret_encrypted').notNull(),
  confirmedAt: text('confirmed_at'),
  lastUsedStep: integer('last_used_step').notNull().default(0),
  createdAt: createdAt(),
});

/** Single-use MFA recovery codes, stored as SHA-256 hashes. */
export const mfaRecoveryCodes = sqliteTable(
  'mfa_recovery_codes',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: text('used_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

/** Accounts at social login providers, linked to a user through a verified email address. */
export const oauthAccounts = sqliteTable(
  'oauth_accounts',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    createdAt: createdAt(),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index('oauth_accounts_user_idx').on(t.userId)],
);

/** Pending social logins: state, PKCE verifier and nonce for 10 minutes, spent by the callback. */
export const oauthStates = sqliteTable(
  'oauth_states',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    nonce: text('nonce').notNull(),
    redirectTo: text('redirect_to'),
    expiresAt: text('expires_at').notNull(),
    createdAt: createdAt(),
  },
  // Every authorize and the maintenance sweep delete expired states: without it each one scans the table.
  (t) => [index('oauth_states_expires_idx').on(t.expiresAt)],
);

/**
 * Long-lived credentials a user creates for scripts and integrations. Only the SHA-256 of the whole key is stored
 * (the key carries 256 random bits, so no salt or slow hash is needed); `prefix` is the part shown in lists so that
 * a user can tell keys apart. A revoked key keeps its row, so that its hash can never match again by accident and
 * the audit trail keeps pointing at something.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    /** Permissions the key may use; at use it gets only those its user still holds. */
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: createdAt(),
    expiresAt: text('expires_at'),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash), index('api_keys_user_idx').on(t.userId, t.createdAt)],
);
