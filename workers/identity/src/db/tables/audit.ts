// The hash-chained audit log and the segments of it archived to R2.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.js';

/**
 * The append-only audit log. `seq` orders the chain and its uniqueness keeps two writers from both extending the
 * same head; `hash` covers the entry and `prev_hash`, so editing or deleting any entry breaks every later link.
 */
export const auditLogs = sqliteTable(
  'audit_logs',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    occurredAt: text('occurred_at').notNull(),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['success', 'failure'] }).notNull(),
    actorId: text('actor_id'),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_logs_id_idx').on(t.id),
    index('audit_logs_actor_idx').on(t.actorId, t.seq),
    index('audit_logs_target_idx').on(t.targetId, t.seq),
    index('audit_logs_action_idx').on(t.action, t.seq),
  ],
);

/**
 * Audit entries moved to R2 (`AUDIT_ARCHIVE`) as NDJSON segments, one row per segment: which seqs it holds and the
 * hashes at both ends, so the live chain in D1 verifies from the last segment's `last_hash` and the archive can be
 * checked against these anchors. Triggers (migration 0007) let a segment only extend the previous one and only end
 * at an entry that exists with that hash; `audit_logs` rows may be deleted only at or below the last archived seq.
 */
export const auditArchiveSegments = sqliteTable('audit_archive_segments', {
  firstSeq: integer('first_seq').primaryKey(),
  lastSeq: integer('last_seq').notNull(),
  /** `prev_hash` of the first entry: the previous segment's `last_hash`, or the genesis hash. */
  firstPrevHash: text('first_prev_hash').notNull(),
  lastHash: text('last_hash').notNull(),
  entries: integer('entries').notNull(),
  objectKey: text('object_key').notNull(),
  /** SHA-256 of the NDJSON object, to tell a damaged or swapped object from a broken chain. */
  sha256: text('sha256').notNull(),
  archivedAt: createdAt('archived_at'),
});
