import { relayOutbox } from './outbox.js';

/** What one maintenance run did. */
export interface MaintenanceReport {
  outboxRelayed: number;
  emailTokensDeleted: number;
  oauthStatesDeleted: number;
}

/**
 * Housekeeping that no request triggers: re-sends outbox rows whose first send failed, and deletes one-time tokens
 * and pending social logins that can no longer be used (kept a day past expiry for support questions). Safe to run
 * concurrently and repeatedly: each step only removes what is dead or sends what is still pending.
 */
export async function runMaintenance(env: IdentityEnv): Promise<MaintenanceReport> {
  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const now = new Date().toISOString();
  const [outboxRelayed, tokens, states] = await Promise.all([
    relayOutbox(env),
    env.DB.prepare('DELETE FROM email_tokens WHERE expires_at < ? OR used_at < ?').bind(dayAgo, dayAgo).run(),
    env.DB.prepare('DELETE FROM oauth_states WHERE expires_at < ?').bind(now).run(),
  ]);
  return { outboxRelayed, emailTokensDeleted: tokens.meta.changes, oauthStatesDeleted: states.meta.changes };
}
