import { DurableObject } from 'cloudflare:workers';

/** Monthly request counts of one user. */
export class QuotaCounter extends DurableObject<GatewayEnv> {}
