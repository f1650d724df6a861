import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { files, reservations } from '../db/schema.js';
import { quotaOf } from './config.js';
import type { Owner } from './owner.js';

/** What an owner uses and may use; reserved space counts as used. */
export interface Usage {
  bytesUsed: number;
  filesUsed: number;
  bytesReserved: number;
  filesReserved: number;
  bytesAllowed: number;
  filesAllowed: number;
}

const NOW = sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
const expiresIn = (ttlSeconds: number) => new Date(Date.now() + ttlSeconds * 1000).toISOString();

// What the owner holds against the quota: files ready and trashed (the trash still takes space), and reservations
// that have not expired. Each owner is charged a file's full size, even when its blob is shared.
const heldBytes = (ownerId: string) => sql`(
  (SELECT COALESCE(SUM(${files.size}), 0) FROM ${files} WHERE ${files.ownerId} = ${ownerId})
  + (SELECT COALESCE(SUM(${reservations.bytes}), 0) FROM ${reservations}
     WHERE ${reservations.ownerId} = ${ownerId} AND ${reservations.expiresAt} > ${NOW}))`;
const heldFiles = (ownerId: string) => sql`(
  (SELECT COUNT(*) FROM ${files} WHERE ${files.ownerId} = ${ownerId})
  + (SELECT COALESCE(SUM(${reservations.files}), 0) FROM ${reservations}
     WHERE ${reservations.ownerId} = ${ownerId} AND ${reservations.expiresAt} > ${NOW}))`;

const overQuota = () =>
  new AppError(
    'STORAGE_QUOTA_EXCEEDED',
    'This upload does not fit in the storage your plan allows; see /api/v1/files/usage.',
  );

/**
 * Reserves `bytes` (and `files`) for an upload about to start, atomically against the owner's quota: one statement
 * inserts the reservation only if the owner's files, trash and other reservations leave room, so concurrent uploads
 * cannot overshoot. Answers the reservation id; 413 `STORAGE_QUOTA_EXCEEDED` when there is no room.
 */
export async function reserveSpace(
  env: FilesEnv,
  owner: Owner,
  amount: { bytes: number; files?: number },
  ttlSeconds: number,
): Promise<string> {
  const quota = quotaOf(env, owner.plan);
  const id = newId('rsv');
  const count = amount.files ?? 1;
  // Raw SQL: drizzle's INSERT … SELECT needs a query builder select, which cannot say a FROM-less SELECT of
  // constants guarded by a WHERE; the guard and the insert must be one statement so that no other upload slips between.
  const result = await dbOf(env.DB).run(sql`
    INSERT INTO ${reservations} (id, owner_id, bytes, files, expires_at)
    SELECT ${id}, ${owner.userId}, ${amount.bytes}, ${count}, ${expiresIn(ttlSeconds)}
    WHERE ${heldBytes(owner.userId)} + ${amount.bytes} <= ${quota.bytes}
      AND ${heldFiles(owner.userId)} + ${count} <= ${quota.files}`);
  if (result.meta.changes !== 1) throw overQuota();
  return id;
}

/**
 * Reserves one file and whatever space is left, up to `max` bytes: for a body of unknown length. One statement, like
 * `reserveSpace`; 413 when no file fits. Answers the reservation and the bytes it holds.
 */
export async function reserveRemaining(
  env: FilesEnv,
  owner: Owner,
  max: number,
  ttlSeconds: number,
): Promise<{ id: string; bytes: number }> {
  const quota = quotaOf(env, owner.plan);
  const id = newId('rsv');
  // Raw SQL: as in reserveSpace, and the reserved amount is computed from the same guarded sums.
  const rows = await dbOf(env.DB).all<{ bytes: number }>(sql`
    INSERT INTO ${reservations} (id, owner_id, bytes, files, expires_at)
    SELECT ${id}, ${owner.userId}, MIN(${max}, ${quota.bytes} - ${heldBytes(owner.userId)}), 1, ${expiresIn(ttlSeconds)}
    WHERE ${heldBytes(owner.userId)} <= ${quota.bytes}
      AND ${heldFiles(owner.userId)} + 1 <= ${quota.files}
    RETURNING bytes`);
  const bytes = rows[0]?.bytes;
  if (bytes === undefined) throw overQuota();
  return { id, bytes };
}

/** Gives a reservation's space back (an upload that failed or was aborted); releasing twice is harmless. */
export async function releaseSpace(env: FilesEnv, reservationId: string): Promise<void> {
  await dbOf(env.DB).delete(reservations).where(eq(reservations.id, reservationId));
}

/** The owner's usage and limits. */
export async function usageOf(env: FilesEnv, owner: Owner): Promise<Usage> {
  const quota = quotaOf(env, owner.plan);
  const db = dbOf(env.DB);
  const [used, reserved] = await db.batch([
    db
      .select({ bytes: sql<number>`COALESCE(SUM(${files.size}), 0)`, count: sql<number>`COUNT(*)` })
      .from(files)
      .where(eq(files.ownerId, owner.userId)),
    db
      .select({
        bytes: sql<number>`COALESCE(SUM(${reservations.bytes}), 0)`,
        count: sql<number>`COALESCE(SUM(${reservations.files}), 0)`,
      })
      .from(reservations)
      .where(sql`${reservations.ownerId} = ${owner.userId} AND ${reservations.expiresAt} > ${NOW}`),
  ]);
  return {
    bytesUsed: Number(used[0]?.bytes ?? 0),
    filesUsed: Number(used[0]?.count ?? 0),
    bytesReserved: Number(reserved[0]?.bytes ?? 0),
    filesReserved: Number(reserved[0]?.count ?? 0),
    bytesAllowed: quota.bytes,
    filesAllowed: quota.files,
  };
}
