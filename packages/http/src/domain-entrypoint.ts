import { WorkerEntrypoint } from 'cloudflare:workers';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type HealthReport, type Principal, type RequestMeta, RequestMetaSchema } from '@onasis/contracts';
import type { Env } from 'hono';
import { problemResponse } from './problem.js';
import { serveForwarded } from './service-app.js';
import { requestIdFrom } from './trace.js';

/** The part of an OpenAPI document a service contributes to the gateway's merged one. */
export interface OpenApiPart {
  paths: Record<string, unknown>;
  components: Record<string, unknown>;
  tags: { name: string; description?: string }[];
}

/**
 * What every domain Worker answers over RPC: `handle` for forwarded HTTP requests, `health` for the gateway's probe,
 * `openapi` for the merged reference. Domain-specific RPC methods go on the subclass.
 */
export abstract class DomainEntrypoint<E extends Env> extends WorkerEntrypoint<E['Bindings']> {
  /** The Worker's HTTP app. */
  protected abstract readonly app: OpenAPIHono<E>;
  /** The Worker's tag and its description in the API reference. */
  protected abstract readonly tag: { name: string; description: string };

  /** Serves a request routed here by the gateway, with the request context the gateway established. */
  async handle(request: Request, meta: RequestMeta): Promise<Response> {
    // The checks of RequestMetaSchema, by hand: zod's safeParse costs more than the rest of this method. The schema
    // only runs on the rare invalid meta, to count its issues for the log line.
    const m = meta as Partial<RequestMeta> | null | undefined;
    if (
      typeof m !== 'object' ||
      m === null ||
      typeof m.requestId !== 'string' ||
      m.requestId.length < 1 ||
      m.requestId.length > 128 ||
      typeof m.traceparent !== 'string' ||
      (m.clientIp !== undefined && typeof m.clientIp !== 'string') ||
      (m.principal !== undefined && !isPrincipal(m.principal))
    ) {
      // A caller bug, not a client's: answer like any other internal error instead of failing the RPC call.
      const requestId = requestIdFrom(undefined);
      const issues = RequestMetaSchema.safeParse(meta).error?.issues.length ?? 0;
      console.error(JSON.stringify({ level: 'error', msg: 'invalid request meta', requestId, issues }));
      return problemResponse('INTERNAL', requestId);
    }
    return serveForwarded(
      this.app,
      request,
      { requestId: m.requestId, traceparent: m.traceparent, principal: m.principal, clientIp: m.clientIp },
      this.env,
      this.ctx,
    );
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
        console.error(JSON.stringify({ level: 'error', msg: 'health check failed', check: name, err: String(err) }));
        return [name, 'failed'] as const;
      }
    }),
  );
  const checksResult = Object.fromEntries(entries);
  return { status: entries.every(([, s]) => s === 'ok') ? 'ok' : 'degraded', checks: checksResult };
}

/** A health check that proves the D1 database answers a query. */
export function d1Check(db: D1Database): () => Promise<unknown> {
  return () => db.prepare('SELECT 1').first();
}
