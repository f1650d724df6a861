import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, files } from '../db/schema.js';
import { objectKeyOf, splitObjectKey } from '../services/names.js';
import { S3Error } from './errors.js';

/** The one bucket: every user sees their own files in it. */
export const BUCKET = 'files';
/** S3's limit on an object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** A file's object key as SQL (folder, `/`, name; the name alone at the root), for listing in key order. */
export const keyColumn = sql<string>`CASE WHEN ${files.folder} = '' THEN ${files.name} ELSE ${files.folder} || '/' || ${files.name} END`;

/** An object key split into the folder and name of a file. */
export interface ObjectKey {
  key: string;
  folder: string;
  name: string;
}

/**
 * The folder and name an object key stands for. A key that is not already in the form the API stores (NFC, no
 * empty, `.` or `..` segments, no control characters, no trailing `/`) is refused rather than changed, so that what
 * a client PUTs is what it lists.
 */
export function objectKeyFrom(key: string): ObjectKey {
  if (key === '') throw new S3Error('InvalidArgument', 'An object key must not be empty.');
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES)
    throw new S3Error('KeyTooLongError', `Your key is too long: at most ${MAX_KEY_BYTES} bytes.`);
  let parts: { folder: string; name: string };
  try {
    parts = splitObjectKey(key);
  } catch (err) {
    if (err instanceof AppError) throw new S3Error('InvalidArgument', `${err.detail ?? err.message} (key "${key}")`);
    throw err;
  }
  if (objectKeyOf(parts.folder, parts.name) !== key)
    throw new S3Error(
      'InvalidArgument',
      'An object key must be normalised: NFC, no spaces around segments, no empty segments, no trailing "/".',
    );
  return { key, ...parts };
}

/** The owner's live file at `key`, if any. */
export async function liveFileAt(db: Db, ownerId: string, key: ObjectKey): Promise<FileRow | undefined> {
  return db
    .select()
    .from(files)
    .where(
      and(
        eq(files.ownerId, ownerId),
        eq(files.folder, key.folder),
        eq(files.name, key.name),
        eq(files.status, 'ready'),
      ),
    )
    .get();
}

/** The bucket and object key of a path under `/s3` (path-style: `/s3/<bucket>/<key>`), decoded. */
export function pathParts(pathname: string): { bucket: string | null; key: string | null } {
  const rest = pathname.replace(/^\/s3\/?/, '');
  if (rest === '') return { bucket: null, key: null };
  const at = rest.indexOf('/');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new S3Error('InvalidArgument', 'The path is not valid percent-encoding.');
    }
  };
  if (at < 0) return { bucket: decode(rest), key: null };
  const key = rest.slice(at + 1);
  return { bucket: decode(rest.slice(0, at)), key: key === '' ? null : decode(key) };
}
