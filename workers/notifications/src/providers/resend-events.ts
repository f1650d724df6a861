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

// SQL rank of the stored status; unknown statuses rank highest so that nothing overwrites them.
const RANK_SQL = `CASE status WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3
  WHEN 'bounced' THEN 4 WHEN 'failed' THEN 4 ELSE 9 END`;

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
export async function applyResendEvent(db: D1Database, event: ResendEmailEvent): Promise<boolean> {
  const transition = TRANSITIONS[event.type];
  const emailId = event.data.email_id;
  if (!transition || !emailId) return false;
  const note = noteOf(event);
  const result = await db
    .prepare(
      `UPDATE deliveries SET status = ?1, error = COALESCE(?2, error), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
         ${ERASE_IF_SECURITY}
       WHERE provider = 'resend' AND provider_message_id = ?3
         AND (${RANK_SQL} < ?4 OR (?5 = 1 AND ${RANK_SQL} = ?4 AND error IS NOT ?2))`,
    )
    .bind(transition.status, note, emailId, transition.rank, transition.annotates ? 1 : 0)
    .run();
  return result.meta.changes > 0;
}
