import { newId } from '@onasis/contracts';
import { claimOf } from './account-claim.js';
import { sha256Hex } from './crypto.js';
import { acceptableName } from './display-name.js';
import type { PendingLogin, ProviderIdentity } from './oauth-provider.js';
import { dispatchOutbox } from './outbox.js';
import { sessionsOf } from './sessions.js';
import { findUserByEmail, findUserById, normaliseEmail, type UserRecord } from './users.js';

/** How long a started social login may take before its callback is refused. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** A pending login as stored, without the state itself (only its hash is kept). */
export interface StoredLogin {
  codeVerifier: string;
  nonce: string;
  redirectTo: string | null;
}

/**
 * Remembers a started login under the SHA-256 of its state, for 10 minutes. The same batch clears expired ones, so
 * abandoned logins do not pile up.
 */
export async function saveLoginState(
  db: D1Database,
  provider: string,
  login: PendingLogin,
  redirectTo: string | null,
): Promise<void> {
  const now = Date.now();
  await db.batch([
    db.prepare('DELETE FROM oauth_states WHERE expires_at < ?').bind(new Date(now).toISOString()),
    db
      .prepare(
        `INSERT INTO oauth_states (state_hash, provider, code_verifier, nonce, redirect_to, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        await sha256Hex(login.state),
        provider,
        login.codeVerifier,
        login.nonce,
        redirectTo,
        new Date(now + OAUTH_STATE_TTL_MS).toISOString(),
      ),
  ]);
}

/**
 * Spends the login of `state`: deleted in the statement that reads it, so a replayed callback finds nothing. Null
 * when unknown, spent, expired or started for another provider.
 */
export async function spendLoginState(db: D1Database, provider: string, state: string): Promise<StoredLogin | null> {
  const row = await db
    .prepare(
      'DELETE FROM oauth_states WHERE state_hash = ? RETURNING provider, code_verifier, nonce, redirect_to, expires_at',
    )
    .bind(await sha256Hex(state))
    .first<{
      provider: string;
      code_verifier: string;
      nonce: string;
      redirect_to: string | null;
      expires_at: string;
    }>();
  if (!row || row.provider !== provider || row.expires_at <= new Date().toISOString()) return null;
  return { codeVerifier: row.code_verifier, nonce: row.nonce, redirectTo: row.redirect_to };
}

/** How a social login found its user. */
export type AccountResolution =
  | { kind: 'returning'; user: UserRecord }
  | { kind: 'linked'; user: UserRecord; claimed: boolean; revokedKeyIds: string[] }
  | { kind: 'created'; user: UserRecord }
  | { kind: 'disabled'; user: UserRecord };

/**
 * The user of a provider account whose email the provider verified: the one already linked to (provider, subject);
 * else the one with that email, now linked; else a new member. A disabled user is reported, never linked.
 *
 * Linking to an account whose address was never verified *claims* it: whoever registered it did not prove the
 * mailbox, the provider just did for this person, so the unproven password, second factor and sessions are dropped
 * (otherwise someone could pre-register a victim's address and share the account once the victim signs in), and so
 * are its API keys; `user.account-claimed` tells notifications to drop the push targets and phone number.
 */
export async function resolveOAuthAccount(
  env: IdentityEnv,
  provider: string,
  identity: ProviderIdentity & { email: string },
): Promise<AccountResolution> {
  const db = env.DB;
  const email = normaliseEmail(identity.email);
  const now = new Date().toISOString();
  // A second attempt covers a concurrent callback of the same person that linked or created first.
  for (let attempt = 1; ; attempt++) {
    const linked = await db
      .prepare('SELECT user_id FROM oauth_accounts WHERE provider = ? AND subject = ?')
      .bind(provider, identity.subject)
      .first<{ user_id: string }>();
    if (linked) {
      const user = await findUserById(db, linked.user_id);
      if (!user) throw new Error('oauth account without user');
      if (user.status === 'disabled') return { kind: 'disabled', user };
      await db
        .prepare('UPDATE oauth_accounts SET last_used_at = ?, email = ? WHERE provider = ? AND subject = ?')
        .bind(now, email, provider, identity.subject)
        .run();
      return { kind: 'returning', user };
    }
    const link = (userId: string) =>
      db
        .prepare('INSERT INTO oauth_accounts (provider, subject, user_id, email, last_used_at) VALUES (?, ?, ?, ?, ?)')
        .bind(provider, identity.subject, userId, email, now);
    try {
      const existing = await findUserByEmail(db, email);
      if (existing) {
        if (existing.status === 'disabled') return { kind: 'disabled', user: existing };
        // The claim's statements act only while the address is unproven, in the same transaction as the link.
        const claim = claimOf(db, existing.id, now);
        const results = await db.batch([
          link(existing.id),
          ...claim.statements,
          ...(existing.emailVerifiedAt === null ? claimStatements(db, existing.id, now) : []),
        ]);
        const { claimed, revokedKeyIds } = claim.outcome(results, 1);
        if (claimed) {
          await sessionsOf(env, existing.id).revokeAll('account_claimed');
          await dispatchOutbox(env, [claim.event]);
        }
        const user = claimed ? await findUserById(db, existing.id) : existing;
        if (!user) throw new Error('linked user vanished');
        return { kind: 'linked', user, claimed, revokedKeyIds };
      }
      const id = newId('usr');
      await db.batch([
        db
          .prepare('INSERT INTO users (id, email, email_verified_at, name) VALUES (?, ?, ?, ?)')
          // A provider's profile name enters emails like any other name: kept only when it would pass as one.
          .bind(id, email, now, acceptableName(identity.name)),
        db.prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'member')").bind(id),
        link(id),
      ]);
      const user = await findUserById(db, id);
      if (!user) throw new Error('created user vanished');
      return { kind: 'created', user };
    } catch (err) {
      if (attempt >= 2 || !String(err).includes('UNIQUE constraint failed')) throw err;
    }
  }
}

/** Marks the address verified and drops the credentials of whoever registered it without proving it. */
function claimStatements(db: D1Database, userId: string, now: string): D1PreparedStatement[] {
  return [
    db
      .prepare('UPDATE users SET email_verified_at = ?, password_hash = NULL, updated_at = ? WHERE id = ?')
      .bind(now, now, userId),
    db.prepare('DELETE FROM mfa_factors WHERE user_id = ?').bind(userId),
    db.prepare('DELETE FROM mfa_recovery_codes WHERE user_id = ?').bind(userId),
    db.prepare("DELETE FROM email_tokens WHERE user_id = ? AND purpose = 'change_email'").bind(userId),
  ];
}
