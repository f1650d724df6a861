import { QUEUE_NAMES, queueBaseName, UserEventSchema } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { consumeDeadLetter } from './services/consume-dead-letter.js';
import { consumeJobMessage } from './services/consume-job.js';
import { enqueueJob } from './services/enqueue-job.js';

const log = createLogger({ service: 'jobs' });

/** The jobs each user event becomes, run by the services that hold data about the user. */
const JOBS_OF_EVENT = {
  'user.deleted': ['notifications.erase-user', 'payments.erase-user', 'files.erase-user', 'analytics.erase-user'],
  'user.account-claimed': ['notifications.reset-devices'],
} as const;

/**
 * Fans a user event out as jobs: `user.deleted` as an `<service>.erase-user` job for each service holding user data,
 * `user.account-claimed` as `notifications.reset-devices`. Each job's idempotency key comes from the event id and its
 * type, so a redelivered event returns the first jobs instead of second ones, and an event that failed halfway (one
 * job made, the next not) makes only the missing one when the queue retries it (the jobs are harmless to repeat
 * anyway, which covers a redelivery later than the key's 24 h).
 */
async function consumeUserEvent(env: JobsEnv, message: Message<unknown>): Promise<void> {
  const event = UserEventSchema.safeParse(message.body);
  if (!event.success) {
    log.error('dropped malformed user event', { issues: event.error.issues.length });
    return message.ack();
  }
  for (const type of JOBS_OF_EVENT[event.data.type]) {
    const result = await enqueueJob(env, {
      type,
      payload: { userId: event.data.userId },
      idempotencyKey: `user-event:${event.data.id}:${type}`,
    });
    if (!result.ok) log.error('user event not enqueued', { eventId: event.data.id, type });
  }
  message.ack();
}

const CONSUMERS: Record<string, (env: JobsEnv, message: Message<unknown>) => Promise<void>> = {
  [QUEUE_NAMES.jobs]: consumeJobMessage,
  [QUEUE_NAMES.jobsDlq]: consumeDeadLetter,
  [QUEUE_NAMES.userEvents]: consumeUserEvent,
};

/**
 * The three queues this Worker consumes (names carry a `-staging`/`-production` suffix outside local). Messages of a
 * batch run concurrently; a message whose handler throws is retried by the queue, the others are unaffected.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: JobsEnv): Promise<void> {
  const consume = CONSUMERS[queueBaseName(batch.queue)];
  if (!consume) throw new Error(`no consumer for queue ${batch.queue}`);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await consume(env, message);
      } catch (err) {
        log.error('queue message failed', { queue: batch.queue, err: String(err) });
        message.retry();
      }
    }),
  );
}
