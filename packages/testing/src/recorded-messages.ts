import { env } from 'cloudflare:workers';
import { eventually } from './eventually.js';

/** A message body as the queue recorder (queue-recorder.js) kept it. */
export type RecordedMessage = Record<string, unknown>;

/**
 * The bodies sent to `queue` so far, oldest first, as the queue recorder that `recordQueues` in the project's
 * vitest config starts (bound to the tested Worker as `QUEUE_RECORDER`) received them.
 */
export async function recordedMessages(queue: string): Promise<RecordedMessage[]> {
  const recorder = (env as unknown as { QUEUE_RECORDER?: Fetcher }).QUEUE_RECORDER;
  if (!recorder) throw new Error(`no QUEUE_RECORDER binding: record ${queue} with recordQueues in vitest.config.ts`);
  const res = await recorder.fetch(`http://recorder/?queue=${encodeURIComponent(queue)}`);
  return res.json();
}

/**
 * Waits until `predicate` holds for the bodies recorded on `queue` (delivery to the recorder is asynchronous), and
 * answers them; past `timeoutMs` it throws with what was recorded.
 */
export async function waitForRecorded(
  queue: string,
  predicate: (messages: RecordedMessage[]) => boolean,
  timeoutMs = 5000,
): Promise<RecordedMessage[]> {
  let seen: RecordedMessage[] = [];
  return eventually(
    async () => {
      seen = await recordedMessages(queue);
      return predicate(seen) && seen;
    },
    { timeoutMs, intervalMs: 50, failure: () => `no matching message on ${queue}: ${JSON.stringify(seen)}` },
  );
}
