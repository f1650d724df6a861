import { dbOf } from '../db/client.js';
import type { ProviderEvent } from '../providers/provider.js';
import { type EventOutcome, markEvent } from './event-marks.js';

/** Applies a checkout session's, subscription's or invoice's event to the billing records, once. */
export async function applyBillingEvent(
  env: PaymentsEnv,
  eventId: string,
  _event: ProviderEvent,
): Promise<EventOutcome> {
  await markEvent(dbOf(env.DB), eventId, 'ignored', 'billing events are not applied yet');
  return 'ignored';
}
