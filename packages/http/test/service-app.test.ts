import { createRoute, z } from '@hono/zod-openapi';
import { problemOf } from '@onasis/testing';
import { describe, expect, it, vi } from 'vitest';
import { AppError, createServiceApp, resourceApp, serveForwarded } from '../src/index.js';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

const createNote = createRoute({
  method: 'post',
  path: '/notes',
  request: {
    body: {
      required: true,
      content: {
        'application/json': { schema: z.object({ title: z.string().min(1), stars: z.number().int().max(5) }) },
      },
    },
  },
  responses: { 201: { description: 'created' } },
});

const routes = resourceApp<{ Bindings: object }>();
routes.openapi(createNote, (c) => c.json({ ok: true, requestId: c.get('requestId') }, 201));
routes.get('/notes/:id', (c) => c.json({ id: c.req.param('id') }));
routes.get('/conflict', () => {
  throw new AppError('CONFLICT', 'Already there.');
});
routes.get('/bug', () => {
  throw new Error('secret internals: dsn=postgres://u:p@db');
});
const app = createServiceApp<{ Bindings: object }>('test', { '/': routes });

function request(path: string, init?: RequestInit) {
  return app.fetch(new Request(`http://svc${path}`, init), {}, ctx);
}

describe('createServiceApp', () => {
  it('answers a validation failure with 400 VALIDATION_FAILED listing each field', async () => {
    const res = await request('/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: '', stars: 9 }),
    });
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.status).toBe(400);
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['stars', 'title']);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await request('/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).code).toBe('MALFORMED_JSON');
  });

  it('turns an AppError into the problem of its code', async () => {
    const res = await request('/conflict', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(409);
    const body = await problemOf(res);
    expect(body).toMatchObject({ code: 'CONFLICT', title: 'Conflict', detail: 'Already there.', requestId: 'abc-123' });
    expect(body.type).toMatch(/^https:\/\/.+#conflict$/);
  });

  it('answers an unexpected error with a 500 that does not echo its message, and logs it', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await request('/bug');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('postgres');
    expect(JSON.parse(text).code).toBe('INTERNAL');
    expect(spy.mock.calls.flat().join(' ')).toContain('secret internals');
    spy.mockRestore();
  });

  it('answers 404 for an unknown path and 405 with Allow for a known path', async () => {
    const missing = await request('/nothing');
    expect(missing.status).toBe(404);
    expect((await problemOf(missing)).code).toBe('ROUTE_NOT_FOUND');

    const wrongMethod = await request('/notes/n1', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await problemOf(wrongMethod)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('reports the matched route template, never the raw path', async () => {
    const res = await request('/notes/n1');
    expect(res.headers.get('x-onasis-route')).toBe('/notes/:id');
    expect((await request('/nothing')).headers.get('x-onasis-route')).toBeNull();
  });

  it('takes request id and trace context from the gateway rather than from client headers', async () => {
    const forged = new Request('http://svc/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'forged' },
      body: JSON.stringify({ title: 't', stars: 1 }),
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await serveForwarded(app, forged, { requestId: 'req_from_gateway', traceparent }, {}, ctx);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true, requestId: 'req_from_gateway' });
  });
});
