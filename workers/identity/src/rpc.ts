import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the identity Worker, bound by the gateway as `IDENTITY`. */
export class IdentityService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = { name: 'identity', description: 'Accounts, sessions, tokens, roles and the audit log.' };

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
