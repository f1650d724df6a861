import { app } from './app.js';

export { MetricsStore } from './durable-objects/metrics-store.js';

export default { fetch: app.fetch } satisfies ExportedHandler<GatewayEnv>;
