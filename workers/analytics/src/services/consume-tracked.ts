import type { AnalyticsMessage } from './tracked-event.js';

// Stub: written by helper B.
export async function consumeTrackedEvents(_env: AnalyticsEnv, batch: MessageBatch<AnalyticsMessage>): Promise<void> {
  batch.ackAll();
}
