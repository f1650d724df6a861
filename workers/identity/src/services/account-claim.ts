import { newId } from '@onasis/contracts';
import { and, eq, exists, isNull, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { dbOf } from '../db/client.js';
import { apiKeys, outbox, users } from '../db/schema.js';
import { type OutboxItem, outboxItem } from './outbox.js';

/**
 * The part of a proof of the mailbox (first verification, password reset, social login on the address) that claims
 * an account nobody had proved yet: whatever was set up on it before (API keys here; push targets and a phone number
 * at notifications, on `user.account-claimed`) may be someone else's, who registered the address first.
 */
export interface Claim {
  /**
   * Statements for the batch of the proof, placed before the statement that sets `email_verified_at`: each acts only
   * while the address is still unproven, so the check and the change are one transaction and a repeated or
   * concurrent proof claims nothing twice.
   */
  statements: [BatchItem<'sqlite'>, BatchItem<'sqlite'>];
  /** The `user.account-claimed` event, written by the batch only when the account was claimed. */
  event: Pick<OutboxItem, 'id' | 'queue' | 'body'>;
  /** Reads the batch's results (from `statements[0]` at `offset`): whether it claimed, and the revoked keys. */
  outcome(results: readonly unknown[], offset: number): { claimed: boolean; revokedKeyIds: string[] };
}

/**
 * The claim statements of a proof of `userId`'s address at `now`; with `email`, only while the account's address is
 * still that one (a verification link proves the address it was sent to, not one changed to since).
 */
export function claimOf(d1: D1Database, userId: string, now: string, email?: string): Claim {
  const db = dbOf(d1);
  const event = outboxItem(d1, {
    queue: 'userEvents',
    body: { kind: 'user-event', id: newId('evt'), type: 'user.account-claimed', userId, occurredAt: now },
  });
  const unproven = and(
    eq(users.id, userId),
    isNull(users.emailVerifiedAt),
    email === undefined ? undefined : eq(users.email, email),
  );
  // `users.id` is the key: the select yields the event's one row while the address is unproven, else none.
  const eventRow = db.insert(outbox).select(
    sql`SELECT ${event.id}, ${event.queue}, ${JSON.stringify(event.body)}, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        FROM ${users} WHERE ${unproven}`,
  );
  return {
    statements: [
      db
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(
          and(
            eq(apiKeys.userId, userId),
            isNull(apiKeys.revokedAt),
            exists(db.select({ one: sql`1` }).from(users).where(unproven)),
          ),
        )
        .returning({ id: apiKeys.id }),
      eventRow,
    ],
    event: { id: event.id, queue: event.queue, body: event.body },
    outcome(results, offset) {
      const revoked = (results[offset] ?? []) as { id: string }[];
      const written = results[offset + 1] as D1Result | undefined;
      return { claimed: (written?.meta.changes ?? 0) === 1, revokedKeyIds: revoked.map((r) => r.id) };
    },
  };
}
