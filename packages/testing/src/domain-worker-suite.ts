import { describe, expect, it } from 'vitest';
import { TRACEPARENT } from './forward.js';

/** What a domain Worker's RPC entrypoint looks like from a test. */
export interface DomainEntrypointStub {
  health(): Promise<{ status: string; checks: Record<string, string> }>;
  openapi(): Promise<{ paths: Record<string, unknown>; tags: { name: string }[] }>;
  handle(request: Request, meta: { requestId: string; traceparent: string }): Promise<Response>;
}

/**
 * The contract every domain Worker keeps with the gateway: health, its OpenAPI part, and problem+json answers for
 * requests it has no route for. Each Worker's own suite calls this once, then tests its domain.
 */
export function describeDomainWorker(options: {
  tag: string;
  entrypoint: () => DomainEntrypointStub;
  healthChecks: string[];
}): void {
  describe(`${options.tag} entrypoint`, () => {
    it('reports each of its dependencies ok', async () => {
      const report = await options.entrypoint().health();
      expect(report.status).toBe('ok');
      expect(Object.keys(report.checks).sort()).toEqual([...options.healthChecks].sort());
      expect(Object.values(report.checks).every((s) => s === 'ok')).toBe(true);
    });

    it('contributes its tag to the OpenAPI document', async () => {
      const part = await options.entrypoint().openapi();
      expect(part.tags.map((t) => t.name)).toEqual([options.tag]);
      expect(typeof part.paths).toBe('object');
    });

    it('answers a forwarded request for an unknown path with a 404 problem carrying the gateway request id', async () => {
      const meta = { requestId: 'req_from_gateway', traceparent: TRACEPARENT };
      const res = await options.entrypoint().handle(new Request('http://internal/api/v1/__nothing__'), meta);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', status: 404, requestId: 'req_from_gateway' });
    });

    it('answers a 500 problem when the request context it is handed is not well formed', async () => {
      const res = await options
        .entrypoint()
        .handle(new Request('http://internal/'), { requestId: '', traceparent: 'x' });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ code: 'INTERNAL' });
    });
  });
}
