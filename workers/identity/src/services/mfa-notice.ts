import { type OutboxItem, securityNotice } from './outbox.js';

/** What a change to a user's MFA tells them in the `identity.mfa-changed` notification. */
type MfaChange = 'enabled' | 'disabled' | 'recovery_codes_regenerated' | 'recovery_code_used';

/** The outbox row that tells the user their MFA changed; it goes into the batch that makes the change. */
export function mfaChangedNotice(
  db: D1Database,
  userId: string,
  change: MfaChange,
  data: Record<string, unknown> = {},
): OutboxItem {
  return securityNotice(db, { to: userId, template: 'identity.mfa-changed', data: { change, ...data } });
}
