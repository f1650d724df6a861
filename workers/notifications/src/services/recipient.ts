import type { Channel } from '@onasis/contracts';
import { and, eq, isNotNull } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { phoneNumbers, pushTargets } from '../db/schema.js';
import { identityOf } from './identity-rpc.js';
import type { PushTargetRow } from './push-targets.js';

/** Who a message goes to and where each channel reaches them. */
interface Recipient {
  userId: string | null;
  locale: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  pushTargets: PushTargetRow[];
  /** Channels with an address: `inapp` only for users, `chat` only for `slack`. */
  reachable: Set<Channel>;
}

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
// No whitespace, no control characters (NUL, CR, LF would become header injection in a provider's request).
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/**
 * Resolves `to`: a user id through identity (null when identity knows no active user of that id), an email address,
 * an E.164 number or `slack`; `kind: 'invalid'` for anything else. `toAddress` replaces a user's email address
 * (identity's message to an address that is about to change).
 */
export async function resolveRecipient(
  env: NotificationsEnv,
  to: string,
  toAddress?: string,
): Promise<Recipient | null | 'invalid'> {
  const base = { userId: null, locale: null, name: null, email: null, phone: null, pushTargets: [] };
  if (to === 'slack') return { ...base, reachable: new Set(['chat']) };
  if (E164.test(to)) return { ...base, phone: to, reachable: new Set(['sms']) };
  if (EMAIL.test(to)) return { ...base, email: to, reachable: new Set(['email']) };
  if (!/^usr_[A-Za-z0-9]+$/.test(to)) return 'invalid';
  const db = dbOf(env.DB);
  // Identity's answer and this Worker's own rows in parallel, the two queries in one D1 round trip.
  const [answer, [phoneRows, targets]] = await Promise.all([
    identityOf(env).contactOf(to),
    db.batch([
      // Only a number the user proved is theirs: an unverified one could be anybody's.
      db
        .select({ phone: phoneNumbers.phone })
        .from(phoneNumbers)
        .where(and(eq(phoneNumbers.userId, to), isNotNull(phoneNumbers.verifiedAt))),
      db.select().from(pushTargets).where(eq(pushTargets.userId, to)).orderBy(pushTargets.createdAt),
    ]),
  ]);
  if (!answer.ok) return null;
  const contact = answer.data;
  const phone = phoneRows[0];
  const email = toAddress ?? contact.email;
  const reachable = new Set<Channel>(['inapp']);
  if (email) reachable.add('email');
  if (phone) reachable.add('sms');
  if (targets.length > 0) reachable.add('push');
  return {
    userId: to,
    locale: contact.locale,
    name: contact.name,
    email,
    phone: phone?.phone ?? null,
    pushTargets: targets,
    reachable,
  };
}
