import { DurableObject } from 'cloudflare:workers';

/** Idempotency records of one key and caller. */
export class IdempotencyStore extends DurableObject<GatewayEnv> {}
