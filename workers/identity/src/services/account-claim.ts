import { newId } from '@onasis/contracts';
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
  statements: D1PreparedStatement[];
  /** The `user.account-claimed` event, written by the batch only when the account was claimed. */
  event: OutboxItem;
  /** Reads the batch's results (from `statements[0]` at `offset`): whether it claimed, and the revoked keys. */
  outcome(results: D1Result[], offset: number): { claimed: boolean; revokedKeyIds: string[] };
}

/** True while `?2`'s address is unproven, and (when `?3` is not null) still the address `?3`. */
const UNPROVEN =
  'EXISTS (SELECT 1 FROM users WHERE id = ?2 AND email_verified_at IS NULL AND (?3 IS NULL OR email = ?3))';

/**
 * The claim statements of a proof of `userId`'s address at `now`; with `email`, only while the account's address is
 * still that one (a verification link proves the address it was sent to, not one changed to since).
 */
export function claimOf(db: D1Database, userId: string, now: string, email?: string): Claim {
  const event = outboxItem(db, {
    queue: 'userEvents',
    body: { kind: 'user-event', id: newId('evt'), type: 'user.account-claimed', userId, occurredAt: now },
  });
  const eventRow = db
    .prepare(`INSERT INTO outbox (id, queue, body) SELECT ?1, ?4, ?5 WHERE ${UNPROVEN}`)
    .bind(event.id, userId, email ?? null, event.queue, JSON.stringify(event.body));
  return {
    statements: [
      db
        .prepare(
          `UPDATE api_keys SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL AND ${UNPROVEN} RETURNING id`,
        )
        .bind(now, userId, email ?? null),
      eventRow,
    ],
    event: { ...event, statement: eventRow },
    outcome(results, offset) {
      const revoked = (results[offset]?.results ?? []) as { id: string }[];
      return { claimed: (results[offset + 1]?.meta.changes ?? 0) === 1, revokedKeyIds: revoked.map((r) => r.id) };
    },
  };
}
