import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { deliveries } from '../db/schema.js';
import { ERASE_IF_SECURITY } from '../services/deliveries.js';

/** Where each Resend event takes a delivery, and how far along that is (a row never moves to a lower rank). */
interface Transition {
  status: 'sent' | 'delivered' | 'failed' | 'bounced';
  rank: number;
  /** Also applies to a row already at this rank, to record a note on it (a delay, a complaint). */
  annotates?: boolean;
}

const TRANSITIONS: Record<string, Transition> = {
  'email.sent': { status: 'sent', rank: 2 },
  // A delay is no new state: the email is still on its way. It notes the delay on a row still at `sent`.
  'email.delivery_delayed': { status: 'sent', rank: 2, annotates: true },
  'email.delivered': { status: 'delivered', rank: 3 },
  // The log has no `complained` state: a complaint is noted on the delivered row (it was delivered, then reported).
  'email.complained': { status: 'delivered', rank: 3, annotates: true },
  'email.bounced': { status: 'bounced', rank: 4 },
  'email.failed': { status: 'failed', rank: 4 },
};

// Rank of the stored status; unknown statuses rank highest so that nothing overwrites them.
// Raw SQL: a rank computed from the row's own status; drizzle has no CASE expression.
const RANK = sql`CASE ${deliveries.status} WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2
  WHEN 'delivered' THEN 3 WHEN 'bounced' THEN 4 WHEN 'failed' THEN 4 ELSE 9 END`;

/** The parts of a Resend email event the delivery log uses. */
export interface ResendEmailEvent {
  type: string;
  data: {
    email_id?: string;
    bounce?: { message?: string; type?: string; subType?: string };
    failed?: { reason?: string };
  };
}

function noteOf(event: ResendEmailEvent): string | null {
  switch (event.type) {
    case 'email.bounced': {
      const b = event.data.bounce;
      return `resend bounced: ${[b?.type, b?.subType].filter(Boolean).join('/') || 'bounce'}: ${b?.message ?? ''}`.trim();
    }
    case 'email.failed':
      return `resend failed: ${event.data.failed?.reason ?? 'unknown reason'}`;
    case 'email.delivery_delayed':
      return 'resend: delivery delayed; the receiving server has not accepted it yet';
    case 'email.complained':
      return 'resend: the recipient marked the email as spam';
    default:
      return null;
  }
}

/**
 * Applies a Resend delivery event to the delivery it is about. The update is conditional on the stored status's
 * rank, so events arriving late or out of order (Resend retries and does not order them) never move a row
 * backwards, and a replayed event matches no row the second time. Answers whether a row changed.
 */
export async function applyResendEvent(db: Db, event: ResendEmailEvent): Promise<boolean> {
  const transition = TRANSITIONS[event.type];
  const emailId = event.data.email_id;
  if (!transition || !emailId) return false;
  const note = noteOf(event);
  const result = await db
    .update(deliveries)
    .set({
      status: transition.status,
      // An event without a note keeps the error already recorded.
      ...(note === null ? {} : { error: note }),
      updatedAt: new Date().toISOString(),
      ...ERASE_IF_SECURITY,
    })
    .where(
      and(
        eq(deliveries.provider, 'resend'),
        eq(deliveries.providerMessageId, emailId),
        or(
          lt(RANK, transition.rank),
          // Raw SQL: IS NOT, a comparison that is true against NULL too; drizzle's ne is not.
          transition.annotates ? and(eq(RANK, transition.rank), sql`${deliveries.error} IS NOT ${note}`) : undefined,
        ),
      ),
    );
  return result.meta.changes > 0;
}
