import { newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pushTargets } from '../db/schema.js';

/** A push target as stored. */
export type PushTargetRow = typeof pushTargets.$inferSelect;

/** Push targets a user may hold: enough for every device of a person, few enough that one send stays small. */
export const MAX_PUSH_TARGETS = 20;

/** A device or browser to register: an FCM token, or a Web Push endpoint with its keys. */
type PushTargetInput =
  | { kind: 'fcm'; token: string }
  | { kind: 'webpush'; endpoint: string; keys: { p256dh: string; auth: string } };

/**
 * Registers a push target for `userId`, or answers the one already registered at the same address; 409 at the cap.
 * A repeated registration hits the unique (user, address) index and answers the row already there. The cap is part
 * of the same statement (the SELECT yields no row at the cap), so racing registrations cannot pass it together;
 * re-registering a target already held still updates it at the cap.
 */
export async function registerPushTarget(db: Db, userId: string, input: PushTargetInput): Promise<PushTargetRow> {
  const address = input.kind === 'fcm' ? input.token : input.endpoint;
  const keys = input.kind === 'webpush' ? input.keys : { p256dh: null, auth: null };
  // Raw SQL: an INSERT of constants guarded by a count of the user's rows; drizzle's insert-select needs a FROM table.
  await db.run(
    sql`INSERT INTO push_targets (id, user_id, kind, address, p256dh, auth)
        SELECT ${newId('pst')}, ${userId}, ${input.kind}, ${address}, ${keys.p256dh}, ${keys.auth}
        WHERE (SELECT count(*) FROM push_targets WHERE user_id = ${userId}) < ${MAX_PUSH_TARGETS}
           OR EXISTS (SELECT 1 FROM push_targets WHERE user_id = ${userId} AND address = ${address})
        ON CONFLICT (user_id, address) DO UPDATE SET kind = excluded.kind, p256dh = excluded.p256dh, auth = excluded.auth`,
  );
  const [row] = await db
    .select()
    .from(pushTargets)
    .where(and(eq(pushTargets.userId, userId), eq(pushTargets.address, address)));
  if (!row) throw new AppError('CONFLICT', `At most ${MAX_PUSH_TARGETS} push targets per user; remove one first.`);
  return row;
}

/** The user's push targets, oldest first. */
export function listPushTargets(db: Db, userId: string): Promise<PushTargetRow[]> {
  return db.select().from(pushTargets).where(eq(pushTargets.userId, userId)).orderBy(pushTargets.createdAt);
}

/** Removes one of the user's push targets; another user's, or an unknown one, is a 404. */
export async function removePushTarget(db: Db, userId: string, id: string): Promise<void> {
  const { meta } = await db.delete(pushTargets).where(and(eq(pushTargets.id, id), eq(pushTargets.userId, userId)));
  if (meta.changes === 0) throw new AppError('NOT_FOUND', 'No such push target.');
}
