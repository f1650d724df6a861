import { newId } from '@onasis/contracts';
import { and, eq, lt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import {
  emailTokens,
  mfaFactors,
  mfaRecoveryCodes,
  oauthAccounts,
  oauthStates,
  userRoles,
  users,
} from '../db/schema.js';
import { claimOf } from './account-claim.js';
import { sha256Hex } from './crypto.js';
import { acceptableName } from './display-name.js';
import type { PendingLogin, ProviderIdentity } from './oauth-provider.js';
import { dispatchOutbox } from './outbox.js';
import { userRegistered } from './platform-events.js';
import { sessionsOf } from './sessions.js';
import { isUniqueViolation } from './unique-violation.js';
import { findUserByEmail, findUserById, normaliseEmail, type UserRecord } from './users.js';

/** How long a started social login may take before its callback is refused. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

/** A pending login as stored, without the state itself (only its hash is kept). */
type StoredLogin = Pick<typeof oauthStates.$inferSelect, 'codeVerifier' | 'nonce' | 'redirectTo'>;

/**
 * Remembers a started login under the SHA-256 of its state, for 10 minutes. The same batch clears expired ones, so
 * abandoned logins do not pile up.
 */
export async function saveLoginState(
  d1: D1Database,
  provider: string,
  login: PendingLogin,
  redirectTo: string | null,
): Promise<void> {
  const now = Date.now();
  const db = dbOf(d1);
  await db.batch([
    db.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date(now).toISOString())),
    db.insert(oauthStates).values({
      stateHash: await sha256Hex(login.state),
      provider,
      codeVerifier: login.codeVerifier,
      nonce: login.nonce,
      redirectTo,
      expiresAt: new Date(now + OAUTH_STATE_TTL_MS).toISOString(),
    }),
  ]);
}

/**
 * Spends the login of `state`: deleted in the statement that reads it, so a replayed callback finds nothing. Null
 * when unknown, spent, expired or started for another provider.
 */
export async function spendLoginState(d1: D1Database, provider: string, state: string): Promise<StoredLogin | null> {
  const row = await dbOf(d1)
    .delete(oauthStates)
    .where(eq(oauthStates.stateHash, await sha256Hex(state)))
    .returning({
      provider: oauthStates.provider,
      codeVerifier: oauthStates.codeVerifier,
      nonce: oauthStates.nonce,
      redirectTo: oauthStates.redirectTo,
      expiresAt: oauthStates.expiresAt,
    })
    .get();
  if (!row || row.provider !== provider || row.expiresAt <= new Date().toISOString()) return null;
  return { codeVerifier: row.codeVerifier, nonce: row.nonce, redirectTo: row.redirectTo };
}

/** How a social login found its user. */
type AccountResolution =
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
  const d1 = env.DB;
  const db = dbOf(d1);
  const email = normaliseEmail(identity.email);
  const now = new Date().toISOString();
  // A second attempt covers a concurrent callback of the same person that linked or created first.
  for (let attempt = 1; ; attempt++) {
    const account = and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.subject, identity.subject));
    const linked = await db.select({ userId: oauthAccounts.userId }).from(oauthAccounts).where(account).get();
    if (linked) {
      const user = await findUserById(d1, linked.userId);
      if (!user) throw new Error('oauth account without user');
      if (user.status === 'disabled') return { kind: 'disabled', user };
      await db.update(oauthAccounts).set({ lastUsedAt: now, email }).where(account).run();
      return { kind: 'returning', user };
    }
    const link = (userId: string) =>
      db.insert(oauthAccounts).values({ provider, subject: identity.subject, userId, email, lastUsedAt: now });
    try {
      const existing = await findUserByEmail(d1, email);
      if (existing) {
        if (existing.status === 'disabled') return { kind: 'disabled', user: existing };
        // The claim's statements act only while the address is unproven, in the same transaction as the link.
        const claim = claimOf(d1, existing.id, now);
        const results = await db.batch([
          link(existing.id),
          ...claim.statements,
          ...(existing.emailVerifiedAt === null ? claimStatements(d1, existing.id, now) : []),
        ]);
        const { claimed, revokedKeyIds } = claim.outcome(results, 1);
        if (claimed) {
          await sessionsOf(env, existing.id).revokeAll('account_claimed');
          await dispatchOutbox(env, [claim.event]);
        }
        const user = claimed ? await findUserById(d1, existing.id) : existing;
        if (!user) throw new Error('linked user vanished');
        return { kind: 'linked', user, claimed, revokedKeyIds };
      }
      const id = newId('usr');
      const signup = userRegistered(d1, id, 'oauth');
      await db.batch([
        // A provider's profile name enters emails like any other name: kept only when it would pass as one.
        db.insert(users).values({ id, email, emailVerifiedAt: now, name: acceptableName(identity.name) }),
        db.insert(userRoles).values({ userId: id, role: 'member' }),
        link(id),
        signup.statement,
      ]);
      await dispatchOutbox(env, [signup]);
      const user = await findUserById(d1, id);
      if (!user) throw new Error('created user vanished');
      return { kind: 'created', user };
    } catch (err) {
      if (attempt >= 2 || !isUniqueViolation(err)) throw err;
    }
  }
}

/** Marks the address verified and drops the credentials of whoever registered it without proving it. */
function claimStatements(d1: D1Database, userId: string, now: string) {
  const db = dbOf(d1);
  return [
    db.update(users).set({ emailVerifiedAt: now, passwordHash: null, updatedAt: now }).where(eq(users.id, userId)),
    db.delete(mfaFactors).where(eq(mfaFactors.userId, userId)),
    db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    db.delete(emailTokens).where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, 'change_email'))),
  ];
}
