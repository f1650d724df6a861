import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { pendingEntry } from './audit-entry.js';

/** What happened, to whom and by whom; the request supplies ip, user agent and request id. */
export interface AuditEvent {
  /** Dotted name such as `user.login`, `session.revoked`, `role.updated`. */
  action: string;
  outcome?: 'success' | 'failure';
  actorId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  data?: Record<string, unknown> | null;
}

/** The chain's single writer (see durable-objects/audit-chain.ts). */
export function auditChainOf(env: IdentityEnv) {
  return env.AUDIT_CHAIN.get(env.AUDIT_CHAIN.idFromName('audit-log'));
}

/** Delays between tries of an append whose writer could not be reached, after the response went out. */
const DEFERRED_TRIES_MS = [1000, 5000, 20_000];

/**
 * Records a security event of the current request, with its ip, user agent and request id. Never fails the request:
 * the change it records is already committed, and the client must get its answer (recovery codes, a key's secret,
 * a session). The writer keeps an entry it cannot commit yet in its own storage; when the writer itself cannot be
 * reached, the same entry (same id, so never recorded twice) is tried again after the response.
 */
export async function audit(c: Context<AppEnv>, event: AuditEvent): Promise<void> {
  const pending = pendingEntry({
    ...event,
    ip: c.get('clientIp') ?? null,
    userAgent: c.req.header('user-agent') ?? null,
    requestId: c.get('requestId'),
  });
  const chain = auditChainOf(c.env);
  try {
    await chain.append(pending);
  } catch (err) {
    const log = c.get('log');
    const about = { action: event.action, auditId: pending.id, err: String(err) };
    log.warn('audit append deferred', about);
    c.executionCtx.waitUntil(
      (async () => {
        for (const ms of DEFERRED_TRIES_MS) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          try {
            await auditChainOf(c.env).append(pending);
            return;
          } catch {}
        }
        // Ids and the action only: an entry's data may name an address.
        log.error('audit entry lost', about);
      })(),
    );
  }
}
