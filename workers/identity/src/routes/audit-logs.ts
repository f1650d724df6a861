import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { access, decodeCursor, jsonResponse, pageOf, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { verifyAuditChain } from '../services/audit-chain-verify.js';
import { listAuditEntries } from '../services/audit-query.js';
import { problems } from './problems.js';

const Hash = z.string().openapi({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });

const AuditEntrySchema = z
  .object({
    seq: z.number().int().openapi({ description: 'Position in the chain, from 1 without gaps.' }),
    id: z.string().openapi({ example: 'aud_3f9c0a1b2c3d4e5f60718293' }),
    occurredAt: z.string(),
    action: z.string().openapi({ example: 'user.disabled' }),
    outcome: z.enum(['success', 'failure']),
    actorId: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
    prevHash: Hash,
    hash: Hash.openapi({ description: 'SHA-256 over the entry and prevHash.' }),
  })
  .openapi('AuditEntry');

const isoTime = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .optional()
    .transform((t) => (t === undefined ? undefined : new Date(t).toISOString()))
    .openapi({ description, example: '2026-01-01T00:00:00Z' });

const AuditQuery = ListQuerySchema.extend({
  actorId: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(100).optional().openapi({ example: 'user.roles_changed' }),
  outcome: z.enum(['success', 'failure']).optional(),
  from: isoTime('Entries at or after this time.'),
  to: isoTime('Entries before this time.'),
});

const ArchiveSummarySchema = z
  .object({
    segments: z.number().int().openapi({ description: 'Segments moved to the archive (R2) by the retention job.' }),
    throughSeq: z.number().int().openapi({ description: 'The last archived seq; the live log continues after it.' }),
    checked: z.boolean().openapi({
      description:
        'Whether the archived segments were read and re-hashed entry by entry (`?archive=true`); otherwise the ' +
        'live log is verified from the anchors recorded for each segment.',
    }),
  })
  .openapi('AuditArchiveSummary');

const VerificationSchema = z
  .union([
    z.object({
      valid: z.literal(true),
      entries: z.number().int().openapi({ description: 'Length of the chain checked: the seq of its newest entry.' }),
      head: Hash.openapi({ description: 'Hash of the newest entry; keep it elsewhere to notice a chain cut short.' }),
      archive: ArchiveSummarySchema,
    }),
    z.object({
      valid: z.literal(false),
      entries: z.number().int().openapi({ description: 'Seq of the last entry that passed before the break.' }),
      head: Hash.openapi({ description: 'Hash of the last entry that passed.' }),
      archive: ArchiveSummarySchema,
      firstBrokenSeq: z.number().int(),
      reason: z.enum([
        'missing_entry',
        'prev_hash_mismatch',
        'hash_mismatch',
        'malformed_entry',
        'archive_mismatch',
        'archive_missing',
      ]),
    }),
  ])
  .openapi('AuditChainVerification');

const VerifyQuery = z.object({
  archive: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ description: 'Also read and re-hash every archived segment in R2.' }),
});

const SeqCursor = z.object({ seq: z.number().int() });

/** `/api/v1/audit-logs`: filtered listing and chain verification, both with `audit-logs:read`. */
export const auditLogsApp = resourceApp<AppEnv>();

auditLogsApp.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['identity'],
    summary: 'List audit log entries',
    description: 'Newest first, filtered by actor, target, action, outcome and time. Needs `audit-logs:read`.',
    ...access('audit-logs:read'),
    request: { query: AuditQuery },
    responses: { 200: jsonResponse(listOf(AuditEntrySchema), 'One page of entries'), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor, SeqCursor).seq;
    const rows = await listAuditEntries(c.env.DB, { ...filter, beforeSeq, limit: limit + 1 });
    return c.json(
      pageOf(
        rows,
        limit,
        (e) => e,
        (e) => ({ seq: e.seq }),
      ),
      200,
    );
  },
);

auditLogsApp.openapi(
  createRoute({
    method: 'get',
    path: '/verify',
    tags: ['identity'],
    summary: 'Verify the audit log hash chain',
    description:
      'Recomputes every entry hash and checks the links and that no seq is missing; reports the first break. ' +
      'Entries older than the retention period live in R2 segments: the live log is verified from the last ' +
      "segment's recorded hash, and with `archive=true` every segment is read and checked too. Reads the whole log, " +
      'so it takes time on a large one. Needs `audit-logs:read`.',
    ...access('audit-logs:read'),
    request: { query: VerifyQuery },
    responses: { 200: jsonResponse(VerificationSchema, 'The result of the check'), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { archive } = c.req.valid('query');
    return c.json(await verifyAuditChain(c.env.DB, archive ? { archive: c.env.AUDIT_ARCHIVE } : {}), 200);
  },
);
