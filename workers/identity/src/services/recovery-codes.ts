import { and, count, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { mfaRecoveryCodes } from '../db/schema.js';
import { sha256Hex } from './crypto.js';
import { dropOutboxRow, type OutboxItem } from './outbox.js';

/** How many recovery codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Recovery code characters: lower case letters and digits without 0/o, 1/l/i, so a code read aloud survives. */
const RECOVERY_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const RECOVERY_CODE_LENGTH = 10;
const RECOVERY_CODE_SHAPE = new RegExp(`^[${RECOVERY_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);

/** A recovery code as stored before hashing (lower case, no separators), or null when it cannot be one. */
export function normaliseRecoveryCode(code: string): string | null {
  const bare = code.replace(/[\s-]+/g, '').toLowerCase();
  return RECOVERY_CODE_SHAPE.test(bare) ? bare : null;
}

/** What is stored of a recovery code: the hex SHA-256 of its normal form. */
function hashRecoveryCode(code: string): Promise<string> {
  return sha256Hex(normaliseRecoveryCode(code) ?? code);
}

/** Whether the user has a confirmed factor, as a condition of a statement. */
const confirmedFactorOf = (userId: string): SQL =>
  sql`EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = ${userId} AND f.confirmed_at IS NOT NULL)`;

/** Spends an unused recovery code of a user with a confirmed factor; false when there is no such code. */
export async function spendRecoveryCode(d1: D1Database, userId: string, code: string): Promise<boolean> {
  const normal = normaliseRecoveryCode(code);
  if (normal === null) return false;
  const spent = await dbOf(d1)
    .update(mfaRecoveryCodes)
    .set({ usedAt: new Date().toISOString() })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, await sha256Hex(normal)),
        isNull(mfaRecoveryCodes.usedAt),
        confirmedFactorOf(userId),
      ),
    )
    .returning({ codeHash: mfaRecoveryCodes.codeHash })
    .get();
  return spent !== undefined;
}

/** How many unused recovery codes the user has left. */
export async function remainingRecoveryCodes(d1: D1Database, userId: string): Promise<number> {
  const row = await dbOf(d1)
    .select({ n: count() })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)))
    .get();
  return row?.n ?? 0;
}

function randomRecoveryCode(): string {
  let out = '';
  while (out.length < RECOVERY_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      // Rejection sampling keeps every character equally likely: 248 = 8 × 31.
      if (byte >= 248 || out.length === RECOVERY_CODE_LENGTH) continue;
      out += RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length];
    }
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** A new set of recovery codes as shown to the user (`xxxxx-xxxxx`), and their hashes as stored. */
export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomRecoveryCode);
  return { codes, hashes: await Promise.all(codes.map(hashRecoveryCode)) };
}

/** The statements that replace the user's recovery codes with `hashes`, only while `guard` holds. */
export function recoveryCodeStatements(d1: D1Database, userId: string, hashes: string[], guard: SQL) {
  const db = dbOf(d1);
  return [
    db.delete(mfaRecoveryCodes).where(and(eq(mfaRecoveryCodes.userId, userId), guard)),
    db.insert(mfaRecoveryCodes).select(
      // Raw SQL: json_each spreads the hashes into the rows of one statement, inserted only while `guard` holds.
      sql`SELECT ${userId}, value, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM json_each(${JSON.stringify(hashes)})
          WHERE ${guard}`,
    ),
  ] as const;
}

/**
 * Replaces the user's recovery codes with a new set and queues `notice`; null when the user has no confirmed
 * factor (any more), in which case nothing changes.
 */
export async function replaceRecoveryCodes(
  d1: D1Database,
  userId: string,
  notice: OutboxItem,
): Promise<string[] | null> {
  const { codes, hashes } = await newRecoveryCodes();
  const [, inserted] = await dbOf(d1).batch([
    ...recoveryCodeStatements(d1, userId, hashes, confirmedFactorOf(userId)),
    notice.statement,
  ]);
  if (inserted.meta.changes) return codes;
  await dropOutboxRow(d1, notice.id);
  return null;
}
