// The drizzle schema of identity's whole database, kept whole as design.md lays out (one `src/db/schema.ts` per
// database): one file shows every table, index and foreign key that drizzle-kit migrates, and they reference each other.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { JWK } from 'jose';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

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
  /**
   * When the key starts signing: normally some minutes after it is published, so every verifier has it first; at
   * once for the key that replaces a retired (leaked) one. Null for keys made before this column: `created_at`.
   */
  signsFrom: text('signs_from'),
  retiredAt: text('retired_at'),
});

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
 * The append-only audit log. `seq` orders the chain and its uniqueness keeps two writers from both extending the
 * same head; `hash` covers the entry and `prev_hash`, so editing or deleting any entry breaks every later link.
 */
export const auditLogs = sqliteTable(
  'audit_logs',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    occurredAt: text('occurred_at').notNull(),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['success', 'failure'] }).notNull(),
    actorId: text('actor_id'),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_logs_id_idx').on(t.id),
    index('audit_logs_actor_idx').on(t.actorId, t.seq),
    index('audit_logs_target_idx').on(t.targetId, t.seq),
    index('audit_logs_action_idx').on(t.action, t.seq),
  ],
);

/**
 * Audit entries moved to R2 (`AUDIT_ARCHIVE`) as NDJSON segments, one row per segment: which seqs it holds and the
 * hashes at both ends, so the live chain in D1 verifies from the last segment's `last_hash` and the archive can be
 * checked against these anchors. Triggers (migration 0007) let a segment only extend the previous one and only end
 * at an entry that exists with that hash; `audit_logs` rows may be deleted only at or below the last archived seq.
 */
export const auditArchiveSegments = sqliteTable('audit_archive_segments', {
  firstSeq: integer('first_seq').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
  /** `prev_hash` of the first entry: the previous segment's `last_hash`, or the genesis hash. */
  firstPrevHash: text('first_prev_hash').notNull(),
  lastHash: text('last_hash').notNull(),
  entries: integer('entries').notNull(),
  objectKey: text('object_key').notNull(),
  /** SHA-256 of the NDJSON object, to tell a damaged or swapped object from a broken chain. */
  sha256: text('sha256').notNull(),
  archivedAt: createdAt('archived_at'),
});

/**
 * Messages for other services, written in the same batch as the change that causes them and sent to their queue
 * afterwards, so that a crash between the two cannot lose one. A row is deleted once its queue accepted it.
 */
export const outbox = sqliteTable('outbox', {
  id: text('id').primaryKey(),
  queue: text('queue', { enum: ['notifications', 'userEvents'] }).notNull(),
  body: text('body', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: createdAt(),
});

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

/**
 * Fixed-window counters of the mail identity sends on a caller's request (verification resends, reset links, email
 * changes, register-attempt notices), one row per limited subject: `user:<id>:<kind>` or `to:<SHA-256 of the
 * address>`. Addresses are hashed so that the table holds no one's email. Rows whose window ended are swept as new
 * ones are counted (services/send-limits.ts).
 */
export const sendLimits = sqliteTable(
  'send_limits',
  {
    key: text('key').primaryKey(),
    /** Epoch milliseconds at which the current window started. */
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('send_limits_window_idx').on(t.windowStart)],
);
