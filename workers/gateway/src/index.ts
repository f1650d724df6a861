import { app } from './app.js';

export { IdempotencyStore } from './durable-objects/idempotency-store.js';
export { MetricsStore } from './durable-objects/metrics-store.js';
export { QuotaCounter } from './durable-objects/quota-counter.js';
export { RateLimiter } from './durable-objects/rate-limiter.js';

export default { fetch: app.fetch } satisfies ExportedHandler<GatewayEnv>;
