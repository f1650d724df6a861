import type { HealthReport, JobOutcome, JobRun, UserContact } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { drizzle } from 'drizzle-orm/d1';
import type { JWK } from 'jose';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { type VerifiedApiKey, verifyApiKey } from './services/api-keys.js';
import { runMaintenance } from './services/maintenance.js';
import { sessionsOf } from './services/sessions.js';
import { publishedKeys, rotateSigningKeys } from './services/signing-keys.js';
import { forgetSigningKey } from './services/tokens.js';

/** RPC surface of the identity Worker, bound by the gateway as `IDENTITY`. */
export class IdentityService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = { name: 'identity', description: 'Accounts, sessions, tokens, roles and the audit log.' };

  /** The published token-signing keys, for the gateway to verify access tokens without a public round trip. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await publishedKeys(this.env.DB) };
  }

  /**
   * Whether the session of an access token is still live: false once it was revoked, expired, or its user was
   * disabled or deleted (both revoke every session). The gateway caches the answer for at most
   * SESSION_STATUS_CACHE_SECONDS.
   */
  async sessionStatus(userId: string, sessionId: string): Promise<{ active: boolean }> {
    if (typeof userId !== 'string' || typeof sessionId !== 'string' || !userId || !sessionId) return { active: false };
    return { active: await sessionsOf(this.env, userId).isActive(sessionId) };
  }

  /**
   * Who an API key acts for: its user, the key's id, the key's scopes that the user still holds, and the user's plan;
   * null when the key is unknown, revoked, expired or its user disabled. The gateway caches the answer for at most
   * 30 seconds, which bounds how long a revoked key keeps working.
   */
  verifyApiKey(key: string): Promise<VerifiedApiKey | null> {
    return verifyApiKey(this.env.DB, key, (write) => this.ctx.waitUntil(write));
  }

  /**
   * Where to reach a user, for the notifications Worker: null for an unknown or disabled user, who gets no messages.
   * Deleted users are gone from the table, so nothing is sent to them after their erasure.
   */
  async contactOf(userId: string): Promise<UserContact | null> {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > 64) return null;
    // Only the columns a message needs: every notification to a user asks this.
    const user = await this.env.DB.prepare(
      'SELECT id, email, email_verified_at, locale, name FROM users WHERE id = ? AND status = ?',
    )
      .bind(userId, 'active')
      .first<{
        id: string;
        email: string;
        email_verified_at: string | null;
        locale: string | null;
        name: string | null;
      }>();
    if (!user) return null;
    return {
      userId: user.id,
      email: user.email,
      emailVerified: user.email_verified_at !== null,
      locale: user.locale,
      name: user.name,
    };
  }

  /**
   * Runs one attempt of an identity job for the jobs Worker: `identity.maintenance`, the housekeeping of
   * services/maintenance.ts, which is safe to repeat, so attempts need no guard.
   */
  async runJob(run: JobRun): Promise<JobOutcome> {
    if (run?.type !== 'identity.maintenance') {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', detail: `identity runs no ${String(run?.type)} jobs` },
        retryable: false,
      };
    }
    const report = await runMaintenance(this.env);
    return { ok: true, result: { ...report } };
  }

  /**
   * Starts signing with a new key; the previous one stays published so that tokens it signed still verify, and
   * older ones are retired. Returns the new kid. Run it on a schedule (monthly is plenty) or after a suspected leak.
   */
  async rotateSigningKeys(): Promise<{ kid: string }> {
    const kid = await rotateSigningKeys(drizzle(this.env.DB), this.env.KEY_ENCRYPTION_KEY);
    forgetSigningKey();
    return { kid };
  }

  health(): Promise<HealthReport> {
    return runHealthChecks({
      db: d1Check(this.env.DB),
      // Without these identity can neither verify a password nor sign a token: a missing secret is an outage.
      secrets: async () => {
        if (!this.env.PASSWORD_PEPPER) throw new Error('PASSWORD_PEPPER is not set');
        if ((this.env.KEY_ENCRYPTION_KEY ?? '').length < 32) throw new Error('KEY_ENCRYPTION_KEY is not set');
      },
    });
  }
}
