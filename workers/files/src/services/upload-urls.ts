import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { type UploadUrlRow, uploadUrls } from '../db/schema.js';
import { maxUploadBytes } from './config.js';
import { normaliseFolder, normaliseName } from './names.js';
import type { Owner } from './owner.js';
import { publicOrigin } from './public-url.js';
import { sign, verify } from './signing.js';
import { normaliseType } from './sniff.js';

const PURPOSE = 'upload-url';
const NOW = sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

/** What the creator fixes about the upload. */
export interface UploadUrlInput {
  name?: string;
  folder?: string;
  contentType?: string;
  maxBytes?: number;
  expiresIn: number;
}

/** An upload URL as the API answers it. */
export interface UploadUrlView {
  id: string;
  url: string;
  method: 'PUT';
  expiresAt: string;
  maxBytes: number;
}

const signedMessage = (row: Pick<UploadUrlRow, 'id' | 'expiresAt'>) => `${row.id}\n${row.expiresAt}`;

/**
 * Creates an upload URL for `owner`: name, folder and type checked now (400), `maxBytes` at most MAX_UPLOAD_BYTES
 * (its default). The URL carries an HMAC of its id and expiry; the row holds the rest. A retried create makes another
 * URL, which expires unused.
 */
export async function createUploadUrl(
  env: FilesEnv,
  request: Request,
  owner: Owner,
  input: UploadUrlInput,
): Promise<UploadUrlView> {
  const limit = maxUploadBytes(env);
  if (input.maxBytes !== undefined && input.maxBytes > limit) {
    throw new AppError('VALIDATION_FAILED', `maxBytes may be at most ${limit}.`, {
      errors: [{ path: 'maxBytes', message: `At most ${limit}.` }],
    });
  }
  const contentType = input.contentType === undefined ? null : normaliseType(input.contentType);
  if (input.contentType !== undefined && contentType === null) {
    throw new AppError('VALIDATION_FAILED', 'contentType is not a media type.', {
      errors: [{ path: 'contentType', message: 'Not a type/subtype.' }],
    });
  }
  const row = {
    id: newId('upu'),
    ownerId: owner.userId,
    plan: owner.plan,
    name: input.name === undefined ? null : normaliseName(input.name),
    folder: normaliseFolder(input.folder),
    contentType,
    maxBytes: input.maxBytes ?? limit,
    expiresAt: new Date(Date.now() + input.expiresIn * 1000).toISOString(),
  };
  await dbOf(env.DB).insert(uploadUrls).values(row);
  const signature = await sign(env, PURPOSE, signedMessage(row));
  return {
    id: row.id,
    url: `${publicOrigin(env, request)}/api/v1/files/upload-urls/${row.id}?signature=${signature}`,
    method: 'PUT',
    expiresAt: row.expiresAt,
    maxBytes: row.maxBytes,
  };
}

/**
 * Claims an upload URL for one upload: 403 `INVALID_SIGNATURE` unless `signature` is the one it was issued with (an
 * unknown id too, so ids cannot be probed), 410 `GONE` once expired or used. The claim is one conditional UPDATE
 * (`used_at IS NULL AND expires_at > now`), so of two concurrent uses exactly one wins; the other gets 410.
 */
export async function claimUploadUrl(env: FilesEnv, id: string, signature: string): Promise<UploadUrlRow> {
  const db = dbOf(env.DB);
  const row = await db.select().from(uploadUrls).where(eq(uploadUrls.id, id)).get();
  if (!row || !(await verify(env, PURPOSE, signedMessage(row), signature))) {
    throw new AppError('INVALID_SIGNATURE', 'This upload URL is not valid.');
  }
  const claimed = await db
    .update(uploadUrls)
    .set({ usedAt: NOW })
    .where(and(eq(uploadUrls.id, id), isNull(uploadUrls.usedAt), gt(uploadUrls.expiresAt, NOW)))
    .returning()
    .get();
  if (!claimed) throw new AppError('GONE', 'This upload URL has expired or was already used.');
  return claimed;
}

/** Records the file an upload URL stored; the URL stays used. */
export async function completeUploadUrl(env: FilesEnv, id: string, fileId: string): Promise<void> {
  await dbOf(env.DB).update(uploadUrls).set({ fileId }).where(eq(uploadUrls.id, id));
}

/** Gives a claim back after an upload that failed its checks, so that the URL can be used again until it expires. */
export async function releaseUploadUrl(env: FilesEnv, id: string): Promise<void> {
  await dbOf(env.DB)
    .update(uploadUrls)
    .set({ usedAt: null })
    .where(and(eq(uploadUrls.id, id), isNull(uploadUrls.fileId)));
}
