import { app } from './app.js';
import { consumeNotifications } from './queue.js';

export { ProviderPacer } from './durable-objects/provider-pacer.js';
export { NotificationsService } from './rpc.js';

export default {
  fetch: app.fetch,
  queue: (batch, env, _ctx: ExecutionContext) => consumeNotifications(batch, env),
} satisfies ExportedHandler<NotificationsEnv>;
