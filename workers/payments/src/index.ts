import { app } from './app.js';
import { handleQueue } from './queue.js';

export { PaymentsService } from './rpc.js';

export default { fetch: app.fetch, queue: handleQueue } satisfies ExportedHandler<PaymentsEnv>;
