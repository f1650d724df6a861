import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs, type FileRow, fileShares, files, publicLinks, reservations } from '../db/schema.js';
import { collectBlob } from './blob-refs.js';
import type { WrittenBlob } from './blob-writer.js';
import type { Owner } from './owner.js';
import { fileDeleted, fileUploaded, publishEvents } from './platform-events.js';
import { releaseSpace } from './quota.js';
import { warmThumbnail } from './thumbnails.js';

/** A body stored in R2 at `objectKey` (as blob `blobId`), ready to become the owner's file. */
export interface Settlement {
  owner: Owner;
  folder: string;
  name: string;
  contentType: string;
  sniffedType: string | null;
  blobId: string;
  objectKey: string;
  written: WrittenBlob;
  reservationId: string;
  replace: boolean;
}

const isPathTaken = (err: unknown): boolean => {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: files\./.test(e.message)) return true;
  }
  return false;
};

/**
 * Makes a stored body the owner's file, in one batch: the blob row upserted by hash (a new row, or the count of the
 * row that already holds these bytes bumped), with `replace` the live file at that path deleted and its blob's count
 * lowered, the file row inserted pointing at whichever blob holds the hash, and the reservation settled. When the
 * bytes were already stored, the object just written is deleted after the answer (`waitUntil`), so that neither the
 * answer nor its timing tells who else holds them. A taken path undoes the whole batch: the same bytes there already
 * answer that file (`created: false`, a retried upload); other bytes are 409 `FILE_EXISTS`. Either way the reservation
 * is released and the object deleted.
 */
export async function settleUpload(
  env: FilesEnv,
  ctx: ExecutionContext,
  s: Settlement,
): Promise<{ file: FileRow; created: boolean }> {
  const db = dbOf(env.DB);
  const { owner, folder, name, written } = s;
  const atPath = and(
    eq(files.ownerId, owner.userId),
    eq(files.folder, folder),
    eq(files.name, name),
    eq(files.status, 'ready'),
  );
  const upsertBlob = db
    .insert(blobs)
    .values({
      id: s.blobId,
      sha256: written.sha256,
      size: written.size,
      storedSize: written.storedSize,
      encoding: written.encoding,
      objectKey: s.objectKey,
      sniffedType: s.sniffedType,
    })
    .onConflictDoUpdate({ target: blobs.sha256, set: { refCount: sql`${blobs.refCount} + 1` } });
  const insertFile = db
    .insert(files)
    .values({
      id: newId('fil'),
      ownerId: owner.userId,
      name,
      folder,
      contentType: s.contentType,
      size: written.size,
      sha256: written.sha256,
      blobId: sql`(SELECT ${blobs.id} FROM ${blobs} WHERE ${blobs.sha256} = ${written.sha256})`,
    })
    .returning();
  const settle = db.delete(reservations).where(eq(reservations.id, s.reservationId));
  try {
    let file: FileRow | undefined;
    let replacedFile: { id: string; ownerId: string; size: number; blobId: string } | undefined;
    if (s.replace) {
      const replacedId = sql`(SELECT ${files.id} FROM ${files} WHERE ${atPath})`;
      const [, , , , replaced, inserted] = await db.batch([
        upsertBlob,
        db
          .update(blobs)
          .set({ refCount: sql`${blobs.refCount} - 1` })
          .where(eq(blobs.id, sql`(SELECT ${files.blobId} FROM ${files} WHERE ${atPath})`)),
        // The old file is gone for good, as a permanent delete leaves it: its shares and links go with it.
        db.delete(fileShares).where(eq(fileShares.fileId, replacedId)),
        db.delete(publicLinks).where(eq(publicLinks.fileId, replacedId)),
        db.delete(files).where(atPath).returning({
          id: files.id,
          ownerId: files.ownerId,
          size: files.size,
          blobId: files.blobId,
        }),
        insertFile,
        settle,
      ]);
      replacedFile = replaced[0];
      file = inserted[0];
    } else {
      const [, inserted] = await db.batch([upsertBlob, insertFile, settle]);
      file = inserted[0];
    }
    if (!file) throw new Error('settleUpload: the file insert returned no row');
    // From here on the file exists: nothing below may fail the upload. An object or a blob left behind by a failure
    // here is unreferenced, and the lifecycle job sweeps it.
    if (file.blobId !== s.blobId) ctx.waitUntil(env.FILES_BUCKET.delete(s.objectKey).catch(() => {}));
    if (replacedFile) await collectBlob(env, replacedFile.blobId).catch(() => false);
    ctx.waitUntil(afterUpload(env, ctx, file, replacedFile));
    return { file, created: true };
  } catch (err) {
    if (!isPathTaken(err)) throw err;
    await Promise.all([releaseSpace(env, s.reservationId), env.FILES_BUCKET.delete(s.objectKey)]);
    const existing = await db.select().from(files).where(atPath).get();
    if (existing && existing.sha256 === written.sha256) return { file: existing, created: false };
    throw new AppError('FILE_EXISTS', `A file named ${name} already exists in this folder.`);
  }
}

/**
 * What follows a stored file without holding up its answer: `file.uploaded` (and `file.deleted` for a file it
 * replaced) for analytics, and an image's thumbnail. Both are best effort; neither can fail the upload.
 */
async function afterUpload(
  env: FilesEnv,
  ctx: ExecutionContext,
  file: FileRow,
  replaced: { id: string; ownerId: string; size: number } | undefined,
): Promise<void> {
  await publishEvents(env, replaced ? [fileDeleted(replaced), fileUploaded(file)] : [fileUploaded(file)]);
  const blob = await dbOf(env.DB)
    .select()
    .from(blobs)
    .where(eq(blobs.id, file.blobId))
    .get()
    .catch(() => undefined);
  if (blob) warmThumbnail(env, ctx, file, blob);
}
