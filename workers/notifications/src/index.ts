import { app } from './app.js';

export { NotificationsService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<NotificationsEnv>;
