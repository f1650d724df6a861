import { UserEventSchema } from '@onasis/contracts';
import { consumeJobMessage } from './services/consume-job.js';
import { consumeDeadLetter } from './services/dead-letter.js';
import { enqueueJob } from './services/enqueue.js';

/**
 * Fans a `user.deleted` event out as a `notifications.erase-user` job. The idempotency key comes from the event id,
 * so a redelivered event returns the first job instead of a second (erasing twice would be harmless anyway, which
 * covers a redelivery later than the key's 24 h).
 */
async function consumeUserEvent(env: JobsEnv, message: Message<unknown>): Promise<void> {
  const event = UserEventSchema.safeParse(message.body);
  if (!event.success) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'dropped malformed user event', issues: event.error.issues.length }),
    );
    return message.ack();
  }
  const result = await enqueueJob(env, {
    type: 'notifications.erase-user',
    payload: { userId: event.data.userId },
    idempotencyKey: `user-event:${event.data.id}`,
  });
  if (!result.ok)
    console.error(JSON.stringify({ level: 'error', msg: 'user event not enqueued', detail: result.error.detail }));
  message.ack();
}

/**
 * The three queues this Worker consumes (names carry a `-staging`/`-production` suffix outside local). Messages of a
 * batch run concurrently; a message whose handler throws is retried by the queue, the others are unaffected.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: JobsEnv): Promise<void> {
  const consume = batch.queue.startsWith('onasis-jobs-dlq')
    ? consumeDeadLetter
    : batch.queue.startsWith('onasis-user-events')
      ? consumeUserEvent
      : batch.queue.startsWith('onasis-jobs')
        ? consumeJobMessage
        : null;
  if (!consume) throw new Error(`no consumer for queue ${batch.queue}`);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await consume(env, message);
      } catch (err) {
        console.error(
          JSON.stringify({ level: 'error', msg: 'queue message failed', queue: batch.queue, err: String(err) }),
        );
        message.retry();
      }
    }),
  );
}
