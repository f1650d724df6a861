import { WorkerEntrypoint } from 'cloudflare:workers';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  type ForwardedRequest,
  type ForwardedResponse,
  type HealthReport,
  type Principal,
  type RequestMeta,
  RequestMetaSchema,
} from '@onasis/contracts';
import type { Env } from 'hono';
import { createLogger } from './logger.js';
import { problemResponse } from './problem.js';
import { requestOf, serveForwarded, serveForwardedValues } from './service-app.js';
import { requestIdFrom } from './trace.js';

/** The part of an OpenAPI document a service contributes to the gateway's merged one. */
export interface OpenApiPart {
  paths: Record<string, unknown>;
  components: Record<string, unknown>;
  tags: { name: string; description?: string }[];
}

/**
 * What every domain Worker answers over RPC: `serve` and `handle` for forwarded HTTP requests (plain values, or a
 * `Request` whose body streams), `health` for the gateway's probe, `openapi` for the merged reference.
 * Domain-specific RPC methods go on the subclass.
 */
export abstract class DomainEntrypoint<E extends Env> extends WorkerEntrypoint<E['Bindings']> {
  /** The Worker's HTTP app. */
  protected abstract readonly app: OpenAPIHono<E>;
  /** The Worker's tag and its description in the API reference. */
  protected abstract readonly tag: { name: string; description: string };

  /**
   * Serves a request routed here by the gateway as plain values, with the request context the gateway established:
   * the hop for every request whose body the gateway holds whole (or that has none).
   */
  async serve(request: ForwardedRequest, meta: RequestMeta): Promise<ForwardedResponse> {
    if (!isRequestMeta(meta)) return forwardedProblem(refusal(this.tag.name, 'invalid request meta', meta));
    const built = isForwardedRequest(request) ? requestOf(request) : null;
    if (built === null)
      return forwardedProblem(refusal(this.tag.name, 'invalid forwarded request', undefined, meta.requestId));
    return serveForwardedValues(this.app, built, metaOf(meta), this.env, this.ctx);
  }

  /** Serves a request routed here by the gateway with its body as a stream: uploads and other large bodies. */
  async handle(request: Request, meta: RequestMeta): Promise<Response> {
    if (!isRequestMeta(meta)) return refusal(this.tag.name, 'invalid request meta', meta);
    return serveForwarded(this.app, request, metaOf(meta), this.env, this.ctx);
  }

  /** The state of the Worker's own dependencies. */
  abstract health(): Promise<HealthReport>;

  /** This Worker's paths and schemas for the gateway's OpenAPI document. */
  openapi(): OpenApiPart {
    const doc = this.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: this.tag.name, version: '1' } });
    return {
      paths: (doc.paths ?? {}) as Record<string, unknown>,
      components: (doc.components ?? {}) as Record<string, unknown>,
      tags: [this.tag],
    };
  }
}

/**
 * The INTERNAL problem for a caller's bug, not a client's: answered like any other internal error instead of failing
 * the RPC call. `meta`, when given, is the invalid one; the schema runs only then, to count its issues.
 */
function refusal(service: string, msg: string, meta: unknown, requestId = requestIdFrom(undefined)): Response {
  const issues = meta === undefined ? undefined : (RequestMetaSchema.safeParse(meta).error?.issues.length ?? 0);
  createLogger({ service, requestId }).error(msg, { issues });
  return problemResponse('INTERNAL', requestId);
}

// The checks of RequestMetaSchema, by hand: zod's safeParse costs more than the rest of a forwarded call.
function isRequestMeta(meta: unknown): meta is RequestMeta {
  const m = meta as Partial<RequestMeta> | null | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.requestId === 'string' &&
    m.requestId.length >= 1 &&
    m.requestId.length <= 128 &&
    typeof m.traceparent === 'string' &&
    (m.clientIp === undefined || typeof m.clientIp === 'string') &&
    (m.country === undefined || (typeof m.country === 'string' && m.country.length <= 2)) &&
    (m.principal === undefined || isPrincipal(m.principal))
  );
}

/** Only the known fields: whatever else a caller put in the object stays out of the context. */
function metaOf(m: RequestMeta): RequestMeta {
  const { requestId, traceparent, principal, clientIp, country } = m;
  return { requestId, traceparent, principal, clientIp, country };
}

function isForwardedRequest(request: unknown): request is ForwardedRequest {
  const r = request as Partial<ForwardedRequest> | null | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.method === 'string' &&
    typeof r.path === 'string' &&
    r.path.startsWith('/') &&
    (r.body === null || typeof r.body === 'string') &&
    Array.isArray(r.headers) &&
    r.headers.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string')
  );
}

/** A problem answer as the plain values `serve` returns; problem bodies are small JSON. */
async function forwardedProblem(response: Response): Promise<ForwardedResponse> {
  return { status: response.status, headers: [...response.headers], body: await response.text() };
}

function isPrincipal(p: unknown): p is Principal {
  if (typeof p !== 'object' || p === null) return false;
  const q = p as Record<string, unknown>;
  return (
    typeof q.userId === 'string' &&
    q.userId.length > 0 &&
    (q.sessionId === null || typeof q.sessionId === 'string') &&
    Array.isArray(q.permissions) &&
    q.permissions.every((x) => typeof x === 'string') &&
    (q.via === 'access_token' || q.via === 'api_key') &&
    (q.plan === undefined || typeof q.plan === 'string')
  );
}

/** Runs each named check and reports `degraded` when any of them throws. */
export async function runHealthChecks(checks: Record<string, () => Promise<unknown>>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (err) {
        createLogger({}).error('health check failed', { check: name, err: String(err) });
        return [name, 'failed'] as const;
      }
    }),
  );
  const checksResult = Object.fromEntries(entries);
  return { status: entries.every(([, s]) => s === 'ok') ? 'ok' : 'degraded', checks: checksResult };
}

/** A health check that proves the D1 database answers a query. */
export function d1Check(db: D1Database): () => Promise<unknown> {
  // Raw SQL: a query that reads no table is the cheapest proof that D1 answers.
  return () => db.prepare('SELECT 1').first();
}
