import { z } from 'zod';
import { PrincipalSchema } from './auth.js';
import type { ErrorCode } from './errors.js';

/** Result of an RPC method: expected failures are returned, since errors thrown across RPC lose everything but `message`. */
export type RpcResult<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; detail?: string } };

/**
 * `input` as `schema` reads it, or the VALIDATION_FAILED result an RPC method returns for it: every RPC argument
 * comes from another Worker and is checked like any request body.
 */
export function rpcInput<T>(schema: z.ZodType<T>, input: unknown): RpcResult<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'VALIDATION_FAILED', detail: `${where}${issue?.message ?? 'invalid input'}` } };
}

/** What the gateway tells a domain Worker about the request it forwards; never taken from client headers. */
export const RequestMetaSchema = z.object({
  requestId: z.string().min(1).max(128),
  traceparent: z.string(),
  /** The verified caller; absent on public routes and when the request carries no credentials. */
  principal: PrincipalSchema.optional(),
  /** The client's IP as Cloudflare saw it, and its user agent, for sessions and the audit log. */
  clientIp: z.string().max(64).optional(),
  /** The client's country as Cloudflare's edge placed it (`request.cf.country`, ISO 3166-1 alpha-2). */
  country: z.string().max(2).optional(),
});

/**
 * An HTTP request the gateway forwards as plain values (`serve`): cheaper over RPC than a `Request`, whose headers,
 * body stream and `cf` object each cross as objects of their own. Large or streamed bodies go through `handle` instead.
 */
export interface ForwardedRequest {
  method: string;
  /** The path with its query string, e.g. `/api/v1/jobs?limit=5`. */
  path: string;
  /** Every header the service may read, as a list so that repeated ones survive. */
  headers: [name: string, value: string][];
  /** The whole body as text (the gateway buffered it), or null when the request has none. */
  body: string | null;
}

/** A service's answer to a `ForwardedRequest`: textual bodies as a string, any other as a stream of bytes. */
export interface ForwardedResponse {
  status: number;
  /** As a list: several `Set-Cookie` headers cannot share one entry. */
  headers: [name: string, value: string][];
  body: string | ReadableStream<Uint8Array> | null;
}

/** Who an API key acts for, as identity's `verifyApiKey` answers it. */
export interface VerifiedApiKey {
  userId: string;
  keyId: string;
  /** The key's scopes that its user still holds. */
  scopes: string[];
  plan: string;
}

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

/**
 * Header a domain Worker sets on an answer to tell the gateway which cached credentials it must drop at once (a
 * revoked session, a user whose roles or status changed, a revoked API key), so that the gateway needs to know no
 * service's paths. The gateway strips it. Its value is a comma-separated list of `session=<id>`, `user=<id>` and
 * `api-key=<id>` items; see `formatForget` and `parseForget`.
 */
export const FORGET_HEADER = 'x-onasis-forget';

/** What a `FORGET_HEADER` names. */
export interface ForgetList {
  sessions?: string[];
  users?: string[];
  apiKeys?: string[];
}

const FORGET_KINDS = { session: 'sessions', user: 'users', 'api-key': 'apiKeys' } as const;

/** The `FORGET_HEADER` value for `list`. */
export function formatForget(list: ForgetList): string {
  const items: string[] = [];
  for (const [kind, field] of Object.entries(FORGET_KINDS)) {
    for (const id of list[field] ?? []) items.push(`${kind}=${id}`);
  }
  return items.join(', ');
}

/** The items of a `FORGET_HEADER` value; unknown kinds and malformed items are skipped. */
export function parseForget(value: string): ForgetList {
  const list: Required<ForgetList> = { sessions: [], users: [], apiKeys: [] };
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const kind = item.slice(0, eq).trim() as keyof typeof FORGET_KINDS;
    const id = item.slice(eq + 1).trim();
    const field = FORGET_KINDS[kind];
    if (field !== undefined && id !== '') list[field].push(id);
  }
  return list;
}
