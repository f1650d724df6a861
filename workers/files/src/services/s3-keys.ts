import { AppError } from '@onasis/http';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { s3Keys } from '../db/schema.js';
import { openSecret, sealSecret } from './s3-key-sealing.js';
import { randomToken } from './signing.js';

/** Most access keys one user may hold at once. */
export const MAX_S3_KEYS = 10;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new access key id shaped like AWS's (20 characters of A–Z and 2–7), which some tools check. */
function newAccessKeyId(): string {
  let id = 'ONAS';
  for (const byte of crypto.getRandomValues(new Uint8Array(16))) id += BASE32[byte & 31];
  return id;
}

/** An access key as its owner sees it in a list: never its secret. */
export interface S3KeyView {
  accessKeyId: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * Creates an access key for `userId` and answers its secret, the only time it is ever shown. One statement inserts
 * the row only while the user holds fewer than MAX_S3_KEYS, so concurrent requests cannot pass the limit. A retry
 * makes another key (each call is a new credential); an interrupted call leaves either no row or a whole one.
 */
export async function createS3Key(env: FilesEnv, db: Db, userId: string, name: string | null) {
  const accessKeyId = newAccessKeyId();
  const secretAccessKey = randomToken(30);
  const sealed = await sealSecret(env, accessKeyId, secretAccessKey);
  const createdAt = new Date().toISOString();
  // Raw SQL: drizzle has no INSERT … SELECT … WHERE, the form that makes the count check and the insert one step.
  const result = await db.run(sql`
    INSERT INTO s3_keys (access_key_id, owner_id, name, sealed_secret, created_at)
    SELECT ${accessKeyId}, ${userId}, ${name}, ${sealed}, ${createdAt}
    WHERE (SELECT count(*) FROM s3_keys WHERE owner_id = ${userId}) < ${MAX_S3_KEYS}`);
  if (result.meta.changes !== 1) {
    throw new AppError('CONFLICT', `At most ${MAX_S3_KEYS} S3 access keys per user; delete one first.`);
  }
  return { accessKeyId, secretAccessKey, name, createdAt };
}

/** The user's access keys, newest first, without their secrets. */
export async function listS3Keys(db: Db, userId: string): Promise<S3KeyView[]> {
  return db
    .select({
      accessKeyId: s3Keys.accessKeyId,
      name: s3Keys.name,
      createdAt: s3Keys.createdAt,
      lastUsedAt: s3Keys.lastUsedAt,
    })
    .from(s3Keys)
    .where(eq(s3Keys.ownerId, userId))
    .orderBy(desc(s3Keys.createdAt), desc(s3Keys.accessKeyId))
    .all();
}

/**
 * Revokes one of the user's keys: from the next request on it no longer signs. Another user's key, or one already
 * deleted, is the same 404, so a retried delete answers 404 having changed nothing.
 */
export async function deleteS3Key(db: Db, userId: string, accessKeyId: string): Promise<void> {
  const gone = await db
    .delete(s3Keys)
    .where(and(eq(s3Keys.accessKeyId, accessKeyId), eq(s3Keys.ownerId, userId)))
    .returning({ accessKeyId: s3Keys.accessKeyId });
  if (gone.length === 0) throw new AppError('NOT_FOUND', `No S3 access key ${accessKeyId}.`);
}

/** What a signature check needs of a key: its owner and its secret, unsealed. */
export interface S3Credential {
  accessKeyId: string;
  ownerId: string;
  secret: string;
  lastUsedAt: string | null;
}

/** The key `accessKeyId` with its secret, or null when there is none (or its seal does not open). */
export async function s3CredentialOf(env: FilesEnv, db: Db, accessKeyId: string): Promise<S3Credential | null> {
  const row = await db.select().from(s3Keys).where(eq(s3Keys.accessKeyId, accessKeyId)).get();
  if (!row) return null;
  const secret = await openSecret(env, accessKeyId, row.sealedSecret);
  return secret === null ? null : { accessKeyId, ownerId: row.ownerId, secret, lastUsedAt: row.lastUsedAt };
}

const TOUCH_EVERY_MS = 60_000;

/** Records a key's use, at most once a minute: a busy client costs one write a minute, not one a request. */
export async function touchS3Key(db: Db, credential: S3Credential, now = new Date()): Promise<void> {
  const last = credential.lastUsedAt ? Date.parse(credential.lastUsedAt) : 0;
  if (now.getTime() - last < TOUCH_EVERY_MS) return;
  await db.update(s3Keys).set({ lastUsedAt: now.toISOString() }).where(eq(s3Keys.accessKeyId, credential.accessKeyId));
}
