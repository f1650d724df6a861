import {
  type HealthReport,
  type JobOutcome,
  type JobRun,
  JobRunSchema,
  type RpcResult,
  rpcInput,
  type UserContact,
  type VerifiedApiKey,
} from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import type { JWK } from 'jose';
import { z } from 'zod';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { dbOf } from './db/client.js';
import { verifyApiKey } from './services/api-keys.js';
import { runMaintenance } from './services/maintenance.js';
import { sessionsOf } from './services/sessions.js';
import { setPlan } from './services/set-plan.js';
import { publishedKeys, rotateSigningKeys } from './services/signing-keys.js';
import { forgetSigningKey } from './services/tokens.js';
import { contactOf } from './services/user-contact.js';

const UserIdSchema = z.string().min(1).max(64);
const SessionRefSchema = z.object({ userId: UserIdSchema, sessionId: z.string().min(1).max(64) });
// Longer than any key identity issues, short enough that nobody hashes a megabyte on identity's CPU.
const ApiKeySecretSchema = z.string().min(1).max(256);
// Plan names are the keys of the gateway's QUOTA_PLANS and of payments' PAYMENT_PLANS.
const SetPlanSchema = z.object({ userId: UserIdSchema, plan: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/) });

/** RPC surface of the identity Worker, bound by the gateway as `IDENTITY`. */
export class IdentityService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = { name: 'identity', description: 'Accounts, sessions, tokens, roles and the audit log.' };

  /** The published token-signing keys, for the gateway to verify access tokens without a public round trip. */
  async jwks(): Promise<RpcResult<{ keys: JWK[] }>> {
    return { ok: true, data: { keys: await publishedKeys(this.env.DB) } };
  }

  /**
   * Whether the session of an access token is still live: false once it was revoked, expired, or its user was
   * disabled or deleted (both revoke every session). The gateway caches the answer for at most
   * SESSION_STATUS_CACHE_SECONDS.
   */
  async sessionStatus(userId: string, sessionId: string): Promise<RpcResult<{ active: boolean }>> {
    const input = rpcInput(SessionRefSchema, { userId, sessionId });
    if (!input.ok) return input;
    return { ok: true, data: { active: await sessionsOf(this.env, input.data.userId).isActive(input.data.sessionId) } };
  }

  /**
   * Who an API key acts for: its user, the key's id, the key's scopes that the user still holds, and the user's plan;
   * UNAUTHENTICATED when the key is unknown, revoked, expired or its user disabled. The gateway caches the answer for
   * at most 30 seconds, which bounds how long a revoked key keeps working.
   */
  async verifyApiKey(key: string): Promise<RpcResult<VerifiedApiKey>> {
    const input = rpcInput(ApiKeySecretSchema, key);
    if (!input.ok) return input;
    const verified = await verifyApiKey(this.env.DB, input.data, (write) => this.ctx.waitUntil(write));
    return verified ? { ok: true, data: verified } : { ok: false, error: { code: 'UNAUTHENTICATED' } };
  }

  /**
   * Where to reach a user, for the notifications Worker: NOT_FOUND for an unknown or disabled user, who gets no
   * messages. Deleted users are gone from the table, so nothing is sent to them after their erasure.
   */
  async contactOf(userId: string): Promise<RpcResult<UserContact>> {
    const input = rpcInput(UserIdSchema, userId);
    if (!input.ok) return input;
    const contact = await contactOf(this.env.DB, input.data);
    return contact ? { ok: true, data: contact } : { ok: false, error: { code: 'NOT_FOUND' } };
  }

  /**
   * Sets a user's billing plan, for the payments Worker when a subscription starts, lapses or ends (audited as
   * `user.plan-changed`). Idempotent: the plan the user already has changes nothing. The gateway's quota follows at
   * the user's next token refresh (access tokens carry the plan) and at once for API keys. NOT_FOUND for an unknown
   * user.
   */
  async setPlan(userId: string, plan: string): Promise<RpcResult<{ plan: string; changed: boolean }>> {
    const input = rpcInput(SetPlanSchema, { userId, plan });
    if (!input.ok) return input;
    const result = await setPlan(this.env, input.data, (work) => this.ctx.waitUntil(work));
    return result ? { ok: true, data: result } : { ok: false, error: { code: 'NOT_FOUND' } };
  }

  /**
   * Runs one attempt of an identity job for the jobs Worker: `identity.maintenance`, the housekeeping of
   * services/maintenance.ts, which is safe to repeat, so attempts need no guard.
   */
  async runJob(run: JobRun): Promise<JobOutcome> {
    const input = rpcInput(JobRunSchema, run);
    if (!input.ok) return { ...input, retryable: false };
    if (input.data.type !== 'identity.maintenance') {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', detail: `identity runs no ${input.data.type} jobs` },
        retryable: false,
      };
    }
    const report = await runMaintenance(this.env);
    return { ok: true, data: { ...report } };
  }

  /**
   * Starts signing with a new key; the previous one stays published so that tokens it signed still verify, and
   * older ones are retired. Returns the new kid. Run it on a schedule (monthly is plenty) or after a suspected leak.
   */
  async rotateSigningKeys(): Promise<RpcResult<{ kid: string }>> {
    const kid = await rotateSigningKeys(dbOf(this.env.DB), this.env.KEY_ENCRYPTION_KEY);
    forgetSigningKey();
    return { ok: true, data: { kid } };
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
