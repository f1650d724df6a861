import { and, eq, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { mfaFactors, mfaRecoveryCodes } from '../db/schema.js';
import { seal, sealingKey, unseal } from './crypto.js';
import { dropOutboxRow, type OutboxItem } from './outbox.js';
import { newRecoveryCodes, recoveryCodeStatements } from './recovery-codes.js';
import { matchTotpStep, newTotpSecret, normaliseTotpCode, otpauthUri } from './totp.js';

/** HKDF purpose of the key that seals TOTP secrets. */
const SEALING_PURPOSE = 'onasis/mfa';

type Factor = Pick<typeof mfaFactors.$inferSelect, 'secretEncrypted' | 'confirmedAt' | 'lastUsedStep'>;

/** A user's TOTP factor, if any: sealed secret, when it was confirmed (null while pending), last step used. */
export async function loadFactor(d1: D1Database, userId: string): Promise<Factor | null> {
  const row = await dbOf(d1)
    .select({
      secretEncrypted: mfaFactors.secretEncrypted,
      confirmedAt: mfaFactors.confirmedAt,
      lastUsedStep: mfaFactors.lastUsedStep,
    })
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId))
    .get();
  return row ?? null;
}

// The key is kept once derived, not the promise of it: a request awaiting a promise another request created is
// cancelled by workerd when that request ends first. A failed derivation (a missing secret) is not kept.
let cachedKey: { secret: string; key: CryptoKey } | null = null;

async function mfaKey(env: IdentityEnv): Promise<CryptoKey> {
  if (cachedKey?.secret === env.KEY_ENCRYPTION_KEY) return cachedKey.key;
  const key = await sealingKey(env.KEY_ENCRYPTION_KEY, SEALING_PURPOSE);
  cachedKey = { secret: env.KEY_ENCRYPTION_KEY, key };
  return key;
}

/**
 * Starts (or restarts) enrollment: a new secret replaces a pending factor. Null when the user already has a
 * confirmed factor, which only `disable` removes.
 */
export async function enrollFactor(
  env: IdentityEnv,
  userId: string,
  email: string,
): Promise<{ secret: string; otpauthUri: string } | null> {
  const secret = newTotpSecret();
  const sealed = await seal(secret, userId, await mfaKey(env));
  // The upsert's WHERE leaves a confirmed factor alone (and returns no row), also against a confirm racing this.
  const row = await dbOf(env.DB)
    .insert(mfaFactors)
    .values({ userId, secretEncrypted: sealed })
    .onConflictDoUpdate({
      target: mfaFactors.userId,
      set: {
        secretEncrypted: sql`excluded.secret_encrypted`,
        lastUsedStep: 0,
        createdAt: sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
      },
      setWhere: isNull(mfaFactors.confirmedAt),
    })
    .returning({ userId: mfaFactors.userId })
    .get();
  return row ? { secret, otpauthUri: otpauthUri(secret, email) } : null;
}

/**
 * Spends a TOTP code of the user's factor (`confirmed`, or the `pending` one being confirmed) and returns its time
 * step; null when the code is wrong, or its step is not newer than the last one used. The conditional update is
 * what makes a code single use: of two requests carrying codes of the same step, only one moves `last_used_step`
 * forward. It also requires the secret it checked against, so a factor replaced meanwhile is not touched.
 */
export async function spendTotpCode(
  env: IdentityEnv,
  userId: string,
  code: string,
  state: 'confirmed' | 'pending' = 'confirmed',
): Promise<{ step: number; secretEncrypted: string } | null> {
  if (normaliseTotpCode(code) === null) return null;
  const factor = await loadFactor(env.DB, userId);
  if (!factor || (factor.confirmedAt === null) !== (state === 'pending')) return null;
  const secret = await unseal(factor.secretEncrypted, userId, await mfaKey(env));
  const step = matchTotpStep(secret, code);
  if (step === null || step <= factor.lastUsedStep) return null;
  const spent = await dbOf(env.DB)
    .update(mfaFactors)
    .set({ lastUsedStep: step })
    .where(
      and(
        eq(mfaFactors.userId, userId),
        eq(mfaFactors.secretEncrypted, factor.secretEncrypted),
        lt(mfaFactors.lastUsedStep, step),
        state === 'pending' ? isNull(mfaFactors.confirmedAt) : isNotNull(mfaFactors.confirmedAt),
      ),
    )
    .returning({ lastUsedStep: mfaFactors.lastUsedStep })
    .get();
  return spent ? { step, secretEncrypted: factor.secretEncrypted } : null;
}

type ConfirmResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: 'not_enabled' | 'already_enabled' | 'invalid_code' };

/**
 * Confirms the pending factor with its first code: spends the code, then in one batch marks the factor confirmed,
 * stores the hashes of a new set of recovery codes and queues `notice`. The batch only acts while the factor is
 * still the one whose code this request spent, so a racing confirm or re-enroll cannot mix two outcomes.
 */
export async function confirmFactor(
  env: IdentityEnv,
  userId: string,
  code: string,
  notice: OutboxItem,
): Promise<ConfirmResult> {
  const factor = await loadFactor(env.DB, userId);
  if (!factor) return { ok: false, reason: 'not_enabled' };
  if (factor.confirmedAt !== null) return { ok: false, reason: 'already_enabled' };
  const spent = await spendTotpCode(env, userId, code, 'pending');
  if (!spent) return { ok: false, reason: 'invalid_code' };
  const { codes, hashes } = await newRecoveryCodes();
  const confirmedAt = new Date().toISOString();
  const db = dbOf(env.DB);
  const mine: SQL = sql`EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = ${userId}
    AND f.confirmed_at = ${confirmedAt} AND f.last_used_step = ${spent.step})`;
  const [confirmed] = await db.batch([
    db
      .update(mfaFactors)
      .set({ confirmedAt })
      .where(
        and(
          eq(mfaFactors.userId, userId),
          isNull(mfaFactors.confirmedAt),
          eq(mfaFactors.secretEncrypted, spent.secretEncrypted),
          eq(mfaFactors.lastUsedStep, spent.step),
        ),
      )
      .returning({ userId: mfaFactors.userId }),
    ...recoveryCodeStatements(env.DB, userId, hashes, mine),
    notice.statement,
  ]);
  if (confirmed.length === 0) {
    await dropOutboxRow(env.DB, notice.id);
    const now = await loadFactor(env.DB, userId);
    return { ok: false, reason: now?.confirmedAt ? 'already_enabled' : 'not_enabled' };
  }
  return { ok: true, recoveryCodes: codes };
}

/** Removes the factor and every recovery code, queueing `notice`; false when there was no factor left to remove. */
export async function removeFactor(d1: D1Database, userId: string, notice: OutboxItem): Promise<boolean> {
  const db = dbOf(d1);
  const [removed] = await db.batch([
    db.delete(mfaFactors).where(eq(mfaFactors.userId, userId)).returning({ userId: mfaFactors.userId }),
    db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)),
    notice.statement,
  ]);
  if (removed.length > 0) return true;
  await dropOutboxRow(d1, notice.id);
  return false;
}
