import { z } from 'zod';
import { PrincipalSchema } from './auth.js';
import type { ErrorCode } from './errors.js';

/** Result of an RPC method: expected failures are returned, since errors thrown across RPC lose everything but `message`. */
export type RpcResult<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; detail?: string } };

/** What the gateway tells a domain Worker about the request it forwards; never taken from client headers. */
export const RequestMetaSchema = z.object({
  requestId: z.string().min(1).max(128),
  traceparent: z.string(),
  /** The verified caller; absent on public routes and when the request carries no credentials. */
  principal: PrincipalSchema.optional(),
  /** The client's IP as Cloudflare saw it, and its user agent, for sessions and the audit log. */
  clientIp: z.string().max(64).optional(),
});

/** Per-request context passed with every forwarded request. */
export type RequestMeta = z.infer<typeof RequestMetaSchema>;

/** Answer of every service's `health()`. */
export const HealthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.enum(['ok', 'failed'])),
});

/** A service's own view of its dependencies. */
export type HealthReport = z.infer<typeof HealthReportSchema>;

/** Header a domain Worker sets to the route template it matched, so gateway metrics stay low-cardinality. */
export const ROUTE_HEADER = 'x-onasis-route';
