import { lt, or } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { emailTokens, oauthStates } from '../db/schema.js';
import { auditChainOf } from './audit.js';
import { archiveAuditLog } from './audit-archive.js';
import { relayOutbox } from './outbox.js';
import { rotateSigningKeysIfDue } from './signing-keys.js';
import { forgetSigningKey } from './tokens.js';

/** What one maintenance run did. */
interface MaintenanceReport {
  outboxRelayed: number;
  emailTokensDeleted: number;
  oauthStatesDeleted: number;
  /** Kid of the signing key this run started, if the active one was due. */
  signingKeyRotated: string | null;
  signingKeysRetired: number;
  auditEntriesArchived: number;
  /** Audit entries still waiting in the chain writer's storage after its flush. */
  auditEntriesPending: number;
}

/** A positive whole number from a var, or `fallback`. */
function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Housekeeping that no request triggers: re-sends outbox rows whose first send failed, deletes one-time tokens and
 * pending social logins that can no longer be used (kept a day past expiry for support questions), rotates the
 * signing key when it is SIGNING_KEY_ROTATION_DAYS old (and retires keys replaced an hour ago), flushes audit
 * entries the chain writer kept while D1 failed, and archives audit entries older than AUDIT_RETENTION_DAYS to R2.
 * Safe to run concurrently and repeatedly: each step only removes what is dead, sends what is still pending, or
 * moves state forward (see each step's own comment).
 */
export async function runMaintenance(env: IdentityEnv): Promise<MaintenanceReport> {
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const now = new Date().toISOString();
  const db = dbOf(env.DB);
  const [outboxRelayed, tokens, states, keys, flushed] = await Promise.all([
    relayOutbox(env),
    db.delete(emailTokens).where(or(lt(emailTokens.expiresAt, dayAgo), lt(emailTokens.usedAt, dayAgo))),
    db.delete(oauthStates).where(lt(oauthStates.expiresAt, now)),
    rotateSigningKeysIfDue(db, env.KEY_ENCRYPTION_KEY, positiveInt(env.SIGNING_KEY_ROTATION_DAYS, 30)),
    auditChainOf(env).flush(),
  ]);
  if (keys.rotated || keys.retired) forgetSigningKey();
  // After the flush, so that entries it committed are archived in order with the rest.
  const archived = await archiveAuditLog(env, positiveInt(env.AUDIT_RETENTION_DAYS, 365));
  return {
    outboxRelayed,
    emailTokensDeleted: tokens.meta.changes,
    oauthStatesDeleted: states.meta.changes,
    signingKeyRotated: keys.rotated,
    signingKeysRetired: keys.retired,
    auditEntriesArchived: archived.entriesArchived,
    auditEntriesPending: flushed.pending,
  };
}
