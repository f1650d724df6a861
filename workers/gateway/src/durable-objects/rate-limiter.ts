import { DurableObject } from 'cloudflare:workers';

/** Rate-limit windows of one shard of keys. */
export class RateLimiter extends DurableObject<GatewayEnv> {}
