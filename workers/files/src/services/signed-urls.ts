import { AppError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, files } from '../db/schema.js';
import { fileNotFound } from './file-access.js';
import { sign, verify } from './signing.js';

// The purpose signed with every download URL, so that no other signature of the Worker verifies as one.
const PURPOSE = 'download';

/** Shortest and longest life of a signed download URL, in seconds (10 s to 7 days). */
export const SIGNED_URL_SECONDS = { min: 10, max: 604_800 } as const;

/** The query of a signed download URL, as it arrived (each part checked by `checkSignedUrl`). */
export interface SignedQuery {
  expires?: string;
  download?: string;
  signature?: string;
}

const message = (id: string, expires: string, download: string) => `${id}.${expires}.${download}`;

/**
 * A URL that downloads file `id` without a token until `expiresIn` seconds from now: the id, the expiry and the
 * download flag are signed together, so changing any of them breaks the signature.
 */
export async function signedUrlFor(
  env: Pick<FilesEnv, 'FILES_SIGNING_KEY'>,
  origin: string,
  id: string,
  expiresIn: number,
  download: boolean,
  now = Date.now(),
): Promise<{ url: string; expiresAt: string }> {
  const expires = String(Math.floor(now / 1000) + expiresIn);
  const flag = download ? '1' : '0';
  const signature = await sign(env, PURPOSE, message(id, expires, flag));
  const query = new URLSearchParams({ expires, download: flag, signature });
  return {
    url: `${origin}/api/v1/files/signed/${encodeURIComponent(id)}?${query}`,
    expiresAt: new Date(Number(expires) * 1000).toISOString(),
  };
}

const invalid = () => new AppError('INVALID_SIGNATURE', 'This link is not valid or has expired.');

/**
 * What a signed URL allows, or 403 INVALID_SIGNATURE when any part of it was changed or it has expired (the same
 * answer for both, so probing learns nothing). Answers the download flag and the seconds the URL has left.
 */
export async function checkSignedUrl(
  env: Pick<FilesEnv, 'FILES_SIGNING_KEY'>,
  id: string,
  query: SignedQuery,
  now = Date.now(),
): Promise<{ download: boolean; secondsLeft: number }> {
  const { expires, download, signature } = query;
  if (!expires || !/^\d{1,12}$/.test(expires) || (download !== '0' && download !== '1') || !signature) throw invalid();
  if (!(await verify(env, PURPOSE, message(id, expires, download), signature))) throw invalid();
  const secondsLeft = Number(expires) - Math.floor(now / 1000);
  if (secondsLeft <= 0) throw invalid();
  return { download: download === '1', secondsLeft };
}

/** The file a valid signed URL names, while it is live: trashed or deleted, the URL stops working (404). */
export async function liveFile(db: Db, id: string): Promise<FileRow> {
  const file = await db.select().from(files).where(eq(files.id, id)).get();
  if (file?.status !== 'ready') throw fileNotFound(id);
  return file;
}
