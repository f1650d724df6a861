import { QUEUE_NAMES, queueBaseName } from '@onasis/contracts';
import { consumePlatformEvents } from './services/consume-platform.js';
import { consumeTrackedEvents } from './services/consume-tracked.js';
import type { AnalyticsMessage } from './services/tracked-event.js';

/** The Worker's two queues: its own tracking events, and the platform's business events. */
export async function queue(batch: MessageBatch<unknown>, env: AnalyticsEnv): Promise<void> {
  const name = queueBaseName(batch.queue);
  if (name === QUEUE_NAMES.analyticsEvents) return consumeTrackedEvents(env, batch as MessageBatch<AnalyticsMessage>);
  if (name === QUEUE_NAMES.platformEvents) return consumePlatformEvents(env, batch);
  // A queue this Worker was never meant to consume: acknowledged, or it would loop until its retries run out.
  console.error(JSON.stringify({ level: 'error', msg: 'unknown queue', queue: batch.queue }));
}
