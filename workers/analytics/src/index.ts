import { app } from './app.js';
import { queue } from './queue.js';

export { VisitorSalts } from './durable-objects/visitor-salts.js';
export { AnalyticsService } from './rpc.js';

export default { fetch: app.fetch, queue } satisfies ExportedHandler<AnalyticsEnv>;
