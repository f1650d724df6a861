import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/**
 * Stored content, once per SHA-256 of its bytes, shared by every file that holds those bytes. `ref_count` counts
 * the files (trashed ones included) that point here; a blob at zero is deleted row first, then object, so that an
 * upload racing the delete either bumped the count first (and the delete matches nothing) or inserts a new row.
 */
export const blobs = sqliteTable(
  'blobs',
  {
    id: text('id').primaryKey(),
    sha256: text('sha256').notNull(),
    /** Bytes of the content as uploaded. */
    size: integer('size').notNull(),
    /** Bytes of the object in R2: smaller than `size` when compressed. */
    storedSize: integer('stored_size').notNull(),
    encoding: text('encoding', { enum: ['identity', 'gzip'] }).notNull(),
    objectKey: text('object_key').notNull().unique(),
    /** The type its first bytes show, when they show one. */
    sniffedType: text('sniffed_type'),
    storageClass: text('storage_class', { enum: ['Standard', 'InfrequentAccess'] })
      .notNull()
      .default('Standard'),
    refCount: integer('ref_count').notNull().default(1),
    createdAt: createdAt(),
    lastReadAt: text('last_read_at'),
  },
  (t) => [uniqueIndex('blobs_sha256_unique').on(t.sha256), index('blobs_ref_count_idx').on(t.refCount)],
);

/**
 * A user's file: a name in a folder pointing at a blob. `folder` is a `/`-separated path without leading or trailing
 * slash (`''` is the root); folder plus name is the object key the S3 API shows, unique among a user's live files.
 */
export const files = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    name: text('name').notNull(),
    folder: text('folder').notNull().default(''),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    blobId: text('blob_id').notNull(),
    status: text('status', { enum: ['ready', 'trashed'] })
      .notNull()
      .default('ready'),
    createdAt: createdAt(),
    updatedAt: createdAt('updated_at'),
    trashedAt: text('trashed_at'),
  },
  (t) => [
    index('files_owner_idx').on(t.ownerId, t.createdAt),
    index('files_blob_idx').on(t.blobId),
    uniqueIndex('files_owner_path_unique').on(t.ownerId, t.folder, t.name).where(sql`${t.status} = 'ready'`),
    index('files_trashed_idx').on(t.status, t.trashedAt),
  ],
);

/** Another user's access to a file: `read`, or `write` (rename, move, replace content). */
export const fileShares = sqliteTable(
  'file_shares',
  {
    fileId: text('file_id').notNull(),
    userId: text('user_id').notNull(),
    access: text('access', { enum: ['read', 'write'] }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.userId] }), index('file_shares_user_idx').on(t.userId)],
);

/** A revocable link that reads a file without a token; only the hash of its secret is kept. */
export const publicLinks = sqliteTable(
  'public_links',
  {
    id: text('id').primaryKey(),
    fileId: text('file_id').notNull(),
    ownerId: text('owner_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [index('public_links_file_idx').on(t.fileId)],
);

/** A URL that uploads one file for its owner without a token, once, before it expires. */
export const uploadUrls = sqliteTable(
  'upload_urls',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    plan: text('plan'),
    folder: text('folder').notNull().default(''),
    name: text('name'),
    maxBytes: integer('max_bytes').notNull(),
    contentType: text('content_type'),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    fileId: text('file_id'),
    createdAt: createdAt(),
  },
  (t) => [index('upload_urls_owner_idx').on(t.ownerId), index('upload_urls_expires_idx').on(t.expiresAt)],
);

/**
 * Space held for an upload in progress: counted with the owner's files against the quota, settled (deleted in the
 * same batch that inserts the file) when the upload ends, released when it fails, swept by lifecycle once expired.
 */
export const reservations = sqliteTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    bytes: integer('bytes').notNull(),
    files: integer('files').notNull().default(1),
    expiresAt: text('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('reservations_owner_idx').on(t.ownerId), index('reservations_expires_idx').on(t.expiresAt)],
);

/** Index of tus uploads, whose state lives in their Durable Object: for listing, erasure and lifecycle sweeps. */
export const uploads = sqliteTable(
  'uploads',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    length: integer('length'),
    status: text('status', { enum: ['active', 'completed', 'aborted'] })
      .notNull()
      .default('active'),
    fileId: text('file_id'),
    reservationId: text('reservation_id'),
    expiresAt: text('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('uploads_owner_idx').on(t.ownerId), index('uploads_status_expires_idx').on(t.status, t.expiresAt)],
);

/** The last plan the gateway vouched for, so that requests it did not authenticate (S3, signed URLs) know the quota. */
export const owners = sqliteTable('owners', {
  userId: text('user_id').primaryKey(),
  plan: text('plan').notNull(),
  updatedAt: createdAt('updated_at'),
});

/** S3 access keys: the secret sealed with `FILES_SEALING_KEY`, since SigV4 needs it back to check a signature. */
export const s3Keys = sqliteTable(
  's3_keys',
  {
    accessKeyId: text('access_key_id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    name: text('name'),
    sealedSecret: text('sealed_secret').notNull(),
    lastUsedAt: text('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('s3_keys_owner_idx').on(t.ownerId)],
);

/** An S3 multipart upload in progress: its parts wait in R2 under `s3-parts/<id>/` until it completes. */
export const s3MultipartUploads = sqliteTable(
  's3_multipart_uploads',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    key: text('key').notNull(),
    contentType: text('content_type'),
    createdAt: createdAt(),
  },
  (t) => [index('s3_multipart_owner_idx').on(t.ownerId)],
);

/** One row type per table. */
export type BlobRow = typeof blobs.$inferSelect;
export type FileRow = typeof files.$inferSelect;
export type FileShareRow = typeof fileShares.$inferSelect;
export type PublicLinkRow = typeof publicLinks.$inferSelect;
export type UploadUrlRow = typeof uploadUrls.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
export type UploadRow = typeof uploads.$inferSelect;
export type S3KeyRow = typeof s3Keys.$inferSelect;
