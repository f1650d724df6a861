import { app } from './app.js';
import { consumeNotifications } from './queue.js';

export { NotificationsService } from './rpc.js';

export default { fetch: app.fetch, queue: consumeNotifications } satisfies ExportedHandler<NotificationsEnv>;
