import { asc, eq, or } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { auditLogs, mfaFactors, oauthAccounts } from '../db/schema.js';
import { sessionsOf } from './sessions.js';
import { type UserRecord, viewOf } from './users.js';

/** Everything identity holds about `user`: account, sessions, linked accounts, factor and security events. */
export async function exportAccount(env: IdentityEnv, user: UserRecord) {
  const db = dbOf(env.DB);
  const [sessions, linkedAccounts, mfa, securityEvents] = await Promise.all([
    sessionsOf(env, user.id).list(),
    db
      .select({
        provider: oauthAccounts.provider,
        email: oauthAccounts.email,
        createdAt: oauthAccounts.createdAt,
        lastUsedAt: oauthAccounts.lastUsedAt,
      })
      .from(oauthAccounts)
      .where(eq(oauthAccounts.userId, user.id))
      .all(),
    db
      .select({ confirmedAt: mfaFactors.confirmedAt, createdAt: mfaFactors.createdAt })
      .from(mfaFactors)
      .where(eq(mfaFactors.userId, user.id))
      .get(),
    db
      .select({
        occurredAt: auditLogs.occurredAt,
        action: auditLogs.action,
        outcome: auditLogs.outcome,
        ip: auditLogs.ip,
        userAgent: auditLogs.userAgent,
      })
      .from(auditLogs)
      .where(or(eq(auditLogs.actorId, user.id), eq(auditLogs.targetId, user.id)))
      .orderBy(asc(auditLogs.seq))
      .all(),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    user: viewOf(user),
    sessions,
    linkedAccounts,
    mfa: mfa ?? null,
    securityEvents,
  };
}
