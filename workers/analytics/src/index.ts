import { app } from './app.js';

export { AnalyticsService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<AnalyticsEnv>;
