import { inArray, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { dbOf } from '../db/client.js';
import { publicLinks, reservations, uploadUrls } from '../db/schema.js';
import type { StepResult } from './lifecycle-purge.js';

const DAY_MS = 86_400_000;

/** Rows one statement deletes; deletes are cheap, so a larger chunk than the steps that touch R2. */
const DELETE_CHUNK = 500;

/** Deletes up to `DELETE_CHUNK` rows of `table` matching `where`, by id. */
async function deleteSome(env: FilesEnv, table: SQLiteTable, id: SQLiteColumn, where: SQL | undefined) {
  const db = dbOf(env.DB);
  const chosen = db.select({ id }).from(table).where(where).limit(DELETE_CHUNK);
  const deleted = await db.delete(table).where(inArray(id, chosen)).returning({ id });
  return deleted.length;
}

/** What the expired-grants step deleted, per table. */
export interface ExpiredGrants {
  reservations: StepResult;
  uploadUrls: StepResult;
  publicLinks: StepResult;
}

/**
 * Lifecycle step 2: reservations past their expiry (an upload that died without releasing its space; quota already
 * ignores them), upload URLs that expired or were used over a day ago (kept that day so that a retried upload to a
 * used URL still gets 410 rather than 404), and public links that expired, or were revoked over a day ago. Plain
 * deletes of rows nothing reads any more: a crash or a second run deletes what is left, and nothing else.
 */
export async function deleteExpiredGrants(env: FilesEnv, now: Date): Promise<ExpiredGrants> {
  const at = now.toISOString();
  const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
  const step = (n: number): StepResult => ({ done: n, more: n === DELETE_CHUNK });
  const expiredReservations = lt(reservations.expiresAt, at);
  const staleUrls = or(lt(uploadUrls.expiresAt, dayAgo), lt(uploadUrls.usedAt, dayAgo));
  const deadLinks = or(lt(publicLinks.expiresAt, at), lt(publicLinks.revokedAt, dayAgo));
  return {
    reservations: step(await deleteSome(env, reservations, reservations.id, expiredReservations)),
    uploadUrls: step(await deleteSome(env, uploadUrls, uploadUrls.id, staleUrls)),
    publicLinks: step(await deleteSome(env, publicLinks, publicLinks.id, deadLinks)),
  };
}
