import { DurableObject } from 'cloudflare:workers';

// Stub: written by helper A.
export class VisitorSalts extends DurableObject<AnalyticsEnv> {}
