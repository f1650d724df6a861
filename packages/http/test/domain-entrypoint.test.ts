import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ForwardedRequest, ForwardedResponse, HealthReport, RequestMeta } from '@onasis/contracts';
import { describe, expect, it, vi } from 'vitest';
import { createServiceApp, DomainEntrypoint, resourceApp } from '../src/index.js';

type TestEnv = { Bindings: object };

const routes = resourceApp<TestEnv>();
routes.get('/notes/:id', (c) =>
  c.json({ id: c.req.param('id'), q: c.req.query('q') ?? null, requestId: c.get('requestId') }),
);
routes.post('/notes', async (c) => c.json({ got: await c.req.json(), type: c.req.header('content-type') }, 201));
routes.get('/page', (c) => c.html('<p>héllo</p>'));
routes.get('/latin', (c) => c.body('caf\xe9', 200, { 'content-type': 'text/plain; charset=iso-8859-1' }));
// A text file that is not UTF-8, and the first bytes of one whose cut falls inside a character.
routes.get('/file', (c) =>
  c.body(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 200, {
    'content-type': 'text/plain',
    'content-disposition': 'attachment; filename="cafe.txt"',
  }),
);
routes.get('/part', (c) =>
  c.body(new Uint8Array([0x47, 0xc3]), 206, {
    'content-type': 'text/plain; charset=utf-8',
    'content-range': 'bytes 0-1/3',
  }),
);
routes.get('/bytes', (c) =>
  c.body(new Uint8Array([0, 1, 2, 255]), 200, { 'content-type': 'application/octet-stream' }),
);
routes.post('/sign-in', (c) => {
  c.header('set-cookie', '__Host-a=1; Path=/; Secure; HttpOnly', { append: true });
  c.header('set-cookie', '__Host-b=2; Path=/; Secure; HttpOnly', { append: true });
  return c.body(null, 204);
});
routes.get('/cookie', (c) => c.json({ cookie: c.req.header('cookie') ?? null }));
const app = createServiceApp<TestEnv>('test', { '/': routes });

class TestService extends DomainEntrypoint<TestEnv> {
  protected readonly app: OpenAPIHono<TestEnv> = app;
  protected readonly tag = { name: 'test', description: 'A test service.' };
  async health(): Promise<HealthReport> {
    return { status: 'ok', checks: {} };
  }
}

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
const service = new TestService(ctx, {});
const meta: RequestMeta = {
  requestId: 'req_gw',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

function get(path: string, headers: [string, string][] = []): ForwardedRequest {
  return { method: 'GET', path, headers, body: null };
}

function header(res: ForwardedResponse, name: string): string[] {
  return res.headers.filter(([n]) => n === name).map(([, v]) => v);
}

describe('DomainEntrypoint.serve', () => {
  it('answers a JSON route with its body as text, the query string and the gateway request id intact', async () => {
    const res = await service.serve(get('/notes/n1?q=x%20y'), meta);
    expect(res.status).toBe(200);
    expect(typeof res.body).toBe('string');
    expect(JSON.parse(res.body as string)).toEqual({ id: 'n1', q: 'x y', requestId: 'req_gw' });
    expect(header(res, 'x-onasis-route')).toEqual(['/notes/:id']);
  });

  it('hands the body and headers of the forwarded request to the route', async () => {
    const body = JSON.stringify({ title: 'ünïcode' });
    const res = await service.serve(
      { method: 'POST', path: '/notes', headers: [['content-type', 'application/json']], body },
      meta,
    );
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body as string)).toEqual({ got: { title: 'ünïcode' }, type: 'application/json' });
  });

  it('keeps repeated request headers and answers HTML as text', async () => {
    const cookies = await service.serve(
      get('/cookie', [
        ['cookie', 'a=1'],
        ['cookie', 'b=2'],
      ]),
      meta,
    );
    expect(JSON.parse(cookies.body as string)).toEqual({ cookie: 'a=1, b=2' });
    const page = await service.serve(get('/page'), meta);
    expect(page.body).toBe('<p>héllo</p>');
  });

  it('answers binary bodies and text in another charset as a stream of the exact bytes', async () => {
    const bytes = await service.serve(get('/bytes'), meta);
    expect(bytes.body).toBeInstanceOf(ReadableStream);
    expect([...new Uint8Array(await new Response(bytes.body).arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const latin = await service.serve(get('/latin'), meta);
    expect(latin.body).toBeInstanceOf(ReadableStream);
  });

  it('answers a file or a range of one byte for byte, whatever its text type says', async () => {
    for (const [path, want] of [
      ['/file', [0x63, 0x61, 0x66, 0xe9]],
      ['/part', [0x47, 0xc3]],
    ] as const) {
      const res = await service.serve(get(path), meta);
      expect(res.body, path).toBeInstanceOf(ReadableStream);
      expect([...new Uint8Array(await new Response(res.body).arrayBuffer())], path).toEqual(want);
    }
  });

  it('keeps every Set-Cookie header apart', async () => {
    const res = await service.serve({ method: 'POST', path: '/sign-in', headers: [], body: null }, meta);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect(header(res, 'set-cookie')).toEqual([
      '__Host-a=1; Path=/; Secure; HttpOnly',
      '__Host-b=2; Path=/; Secure; HttpOnly',
    ]);
  });

  it('answers unknown paths with the 404 problem as text', async () => {
    const res = await service.serve(get('/nothing'), meta);
    expect(res.status).toBe(404);
    expect(header(res, 'content-type')).toEqual(['application/problem+json']);
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: 'req_gw' });
  });

  it.each([
    ['no object', null],
    ['a relative path', { ...get('notes/n1') }],
    ['a header that is no pair', { ...get('/notes/n1'), headers: [['accept']] }],
    ['a body that is no string', { ...get('/notes/n1'), method: 'POST', body: { a: 1 } }],
    ['a header name no HTTP request can carry', get('/notes/n1', [['bad name', 'x']])],
    ['a GET with a body', { ...get('/notes/n1'), body: 'x' }],
  ])('answers %s with a 500 INTERNAL problem instead of failing the call', async (_, request) => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await service.serve(request as ForwardedRequest, meta);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'INTERNAL', requestId: 'req_gw' });
    expect(spy.mock.calls.flat().join(' ')).toContain('invalid forwarded request');
    spy.mockRestore();
  });

  it('answers an invalid request meta with a 500 INTERNAL problem', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await service.serve(get('/notes/n1'), { requestId: '', traceparent: 'x' });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body as string)).toMatchObject({ code: 'INTERNAL' });
    expect(spy.mock.calls.flat().join(' ')).toContain('invalid request meta');
    spy.mockRestore();
  });
});
