import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import type { JobOutcome, JobRun, Principal, RpcResult } from '@onasis/contracts';
import { type CallInit, forwardTo, type RecordedMessage, waitForRecorded } from '@onasis/testing';
import worker from '../src/index.js';
import type { JobView } from '../src/services/job-rows.js';

export const ADMIN: Principal = {
  userId: 'usr_admin',
  sessionId: 'ses_admin',
  // As the seeded admin role: a notifications.send job over HTTP also needs notifications:send.
  permissions: ['jobs:read', 'jobs:write', 'notifications:send'],
  via: 'access_token',
};

const forward = forwardTo('jobs', () => exports.JobsService);

/** A request to the jobs Worker as the gateway forwards it, as the admin unless another principal is given. */
export function call(path: string, init: CallInit = {}, principal: Principal | undefined = ADMIN): Promise<Response> {
  return forward(path, init, { principal });
}

/** One delivery of a queue message: its body and how many times the queue delivered it before. */
interface Delivery {
  body: unknown;
  attempts?: number;
}

/**
 * Hands a batch to the Worker's queue handler, as the platform would, and answers what it acked and retried, with
 * each retry's delay (getQueueResult records only the ids, so each message's retry is observed on the way).
 */
export async function deliver(queue: string, deliveries: Delivery[]) {
  const batch = createMessageBatch(
    queue,
    deliveries.map((d, i) => ({
      id: `msg-${i}-${crypto.randomUUID()}`,
      timestamp: new Date(),
      attempts: d.attempts ?? 1,
      body: d.body,
    })),
  );
  const retries: { msgId: string; delaySeconds: number | undefined }[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, 'retry', {
      value: (options?: QueueRetryOptions) => {
        retries.push({ msgId: message.id, delaySeconds: options?.delaySeconds });
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retries };
}

/** Delivers `{ jobId }` on the jobs queue. */
export const deliverJobs = (...jobIds: string[]) =>
  deliver(
    'onasis-jobs',
    jobIds.map((jobId) => ({ body: { jobId } })),
  );

/** What the fixture owner saw. */
interface OwnerFixture {
  runJob(run: JobRun): Promise<JobOutcome>;
  callsFor(
    jobId: string,
  ): Promise<{ id: string; type: string; attempt: number; maxAttempts: number; payload: unknown }[]>;
  peak(): Promise<number>;
  resetPeak(): Promise<void>;
}

/** The notifications stand-in (test/fixtures/job-owners.js). */
export const notificationsOwner = env.NOTIFICATIONS as unknown as OwnerFixture;

/** The payments stand-in (test/fixtures/job-owners.js). */
export const paymentsOwner = env.PAYMENTS as unknown as OwnerFixture;

/** The files stand-in (test/fixtures/job-owners.js). */
export const filesOwner = env.FILES as unknown as OwnerFixture;

/** The analytics stand-in (test/fixtures/job-owners.js). */
export const analyticsOwner = env.ANALYTICS as unknown as OwnerFixture;

/** Bodies recorded on a test queue so far, waiting (delivery to the recorder is asynchronous) until `predicate`. */
export function waitForSent(
  queue: 'test-jobs' | 'test-jobs-dlq',
  predicate: (bodies: RecordedMessage[]) => boolean,
  timeoutMs = 10_000,
): Promise<RecordedMessage[]> {
  return waitForRecorded(queue, predicate, timeoutMs);
}

/** A notifications.send job input with a fixture template. */
export function sendJob(template: string, extra: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    type: 'notifications.send',
    payload: { to: 'ops@example.com', template, data, idempotencyKey: crypto.randomUUID() },
    ...extra,
  };
}

/** Enqueues over RPC, answering the plain result (RPC results carry a Disposable that hides the union from narrowing). */
export async function enqueueRpc(input: unknown): Promise<RpcResult<JobView>> {
  return (await exports.JobsService.enqueue(input)) as RpcResult<JobView>;
}

/** Enqueues over RPC and answers the job id, failing the test on a refusal. */
export async function enqueue(input: unknown): Promise<string> {
  const result = await enqueueRpc(input);
  if (!result.ok) throw new Error(result.error.detail);
  return result.data.id;
}
