import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import type { JWK } from 'jose';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { sessionsOf } from './services/sessions.js';
import { publishedKeys } from './services/signing-keys.js';

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
