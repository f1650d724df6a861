import { dbOf } from '../db/client.js';
import type { ProviderEvent } from '../providers/provider.js';
import { type EventOutcome, markEvent } from './event-marks.js';

/** Applies a dispute's event: the dispute's state and its ledger movements, once. */
export async function applyDisputeEvent(
  env: PaymentsEnv,
  eventId: string,
  _event: ProviderEvent,
): Promise<EventOutcome> {
  await markEvent(dbOf(env.DB), eventId, 'ignored', 'disputes are not applied yet');
  return 'ignored';
}
