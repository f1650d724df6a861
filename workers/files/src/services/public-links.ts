import type { Principal } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, asc, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { type FileRow, files, type PublicLinkRow, publicLinks } from '../db/schema.js';
import { fileFor } from './file-access.js';
import { randomToken, tokenHash } from './signing.js';
import { NOW } from './update-file.js';

/** A public link as listed: never its token, which only its creation answers. */
export const toPublicLinkView = (row: PublicLinkRow) => ({
  id: row.id,
  fileId: row.fileId,
  expiresAt: row.expiresAt,
  createdAt: row.createdAt,
});

/** The URL path of a public link's token. */
export const publicLinkPath = (token: string) => `/api/v1/files/public/${token}`;

/**
 * A new revocable link that reads the file without a token (owner or admin), for `expiresIn` seconds or until
 * revoked. Only the token's hash is stored: the answer is the one place the token appears. Each call makes a new
 * link, so a retried request leaves an extra link the owner can list and revoke.
 */
export async function createPublicLink(
  db: Db,
  caller: Principal,
  id: string,
  expiresIn: number | undefined,
): Promise<{ row: PublicLinkRow; token: string }> {
  const file = await fileFor(db, caller, id, 'owner');
  const token = randomToken();
  const expiresAt = expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000).toISOString();
  const row = await db
    .insert(publicLinks)
    .values({ id: newId('lnk'), fileId: id, ownerId: file.ownerId, tokenHash: await tokenHash(token), expiresAt })
    .returning()
    .get();
  return { row, token };
}

/** The file's links that still work or will until they expire (owner or admin), oldest first. */
export async function listPublicLinks(db: Db, caller: Principal, id: string): Promise<PublicLinkRow[]> {
  await fileFor(db, caller, id, 'owner');
  return db
    .select()
    .from(publicLinks)
    .where(and(eq(publicLinks.fileId, id), isNull(publicLinks.revokedAt)))
    .orderBy(asc(publicLinks.createdAt));
}

/** Revokes a link of the file (owner or admin); revoking it again answers the same. Another file's link is a 404. */
export async function revokePublicLink(db: Db, caller: Principal, id: string, linkId: string): Promise<void> {
  await fileFor(db, caller, id, 'owner');
  const link = await db
    .select({ revokedAt: publicLinks.revokedAt })
    .from(publicLinks)
    .where(and(eq(publicLinks.id, linkId), eq(publicLinks.fileId, id)))
    .get();
  if (!link) throw new AppError('NOT_FOUND', `No public link ${linkId} on file ${id}.`);
  if (link.revokedAt !== null) return;
  await db
    .update(publicLinks)
    .set({ revokedAt: NOW })
    .where(and(eq(publicLinks.id, linkId), isNull(publicLinks.revokedAt)));
}

/** The live file a public link's token reads: 404 for an unknown, revoked or expired link, or a trashed file. */
export async function fileOfPublicToken(db: Db, token: string): Promise<FileRow> {
  const gone = () => new AppError('NOT_FOUND', 'This link does not exist or no longer works.');
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) throw gone();
  const row = await db
    .select({ file: files })
    .from(publicLinks)
    .innerJoin(files, eq(files.id, publicLinks.fileId))
    .where(
      and(
        eq(publicLinks.tokenHash, await tokenHash(token)),
        isNull(publicLinks.revokedAt),
        or(isNull(publicLinks.expiresAt), gt(publicLinks.expiresAt, new Date().toISOString())),
        eq(files.status, 'ready'),
      ),
    )
    .get();
  if (!row) throw gone();
  return row.file;
}
