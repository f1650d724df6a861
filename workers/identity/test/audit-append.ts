import { auditChainOf } from '../src/services/audit.js';
import { type AppendResult, type AuditEntry, type AuditInput, pendingEntry } from '../src/services/audit-entry.js';

/** Thrown by `appendAudit` when the writer kept the entry for a later flush instead of committing it now. */
export class AuditQueuedError extends Error {
  constructor(readonly id: string) {
    super(`audit entry ${id} is queued for a later flush`);
    this.name = 'AuditQueuedError';
  }
}

/**
 * Appends an entry through the chain's single writer, as `audit(c, event)` does for a request, and answers the
 * committed entry; rejects with AuditQueuedError when the writer kept it in its storage for a later flush.
 */
export async function appendAudit(env: IdentityEnv, input: AuditInput): Promise<AuditEntry> {
  // RPC typing loses the shape of `data`; the object answers exactly AppendResult.
  const result = (await auditChainOf(env).append(pendingEntry(input))) as AppendResult;
  if ('entry' in result) return result.entry;
  throw new AuditQueuedError(result.queued);
}
