import { app } from './app.js';
import { runCron } from './cron.js';
import { handleQueue } from './queue.js';

export { ConcurrencyLimiter } from './durable-objects/concurrency-limiter.js';
export { JobScheduler } from './durable-objects/job-scheduler.js';
export { JobsService } from './rpc.js';

export default {
  fetch: app.fetch,
  queue: handleQueue,
  async scheduled(controller, env) {
    await runCron(env, controller);
  },
} satisfies ExportedHandler<JobsEnv>;
