import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_EXTENSION,
  access,
  createServiceApp,
  requirePrincipal,
  resourceApp,
  serveForwarded,
} from '../src/index.js';

const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

const noteBody = {
  body: { required: true, content: { 'application/json': { schema: z.object({ title: z.string().min(1) }) } } },
};

const routes = resourceApp<{ Bindings: object }>();
routes.openapi(
  createRoute({ method: 'get', path: '/open', ...access('public'), responses: { 200: { description: 'ok' } } }),
  (c) => c.json({ caller: c.get('principal')?.userId ?? null }),
);
routes.openapi(
  createRoute({
    method: 'post',
    path: '/notes',
    ...access('users:write'),
    request: noteBody,
    responses: { 201: { description: 'created' } },
  }),
  (c) => c.json({ title: c.req.valid('json').title }, 201),
);
routes.openapi(
  createRoute({
    method: 'get',
    path: '/me',
    ...access('authenticated', { apiKeys: true }),
    responses: { 200: { description: 'me' } },
  }),
  (c) => c.json({ userId: requirePrincipal(c).userId }),
);
const app = createServiceApp<{ Bindings: object }>('test', { '/': routes });

const member: Principal = { userId: 'usr_1', sessionId: 'ses_1', permissions: [], via: 'access_token' };
const writer: Principal = { ...member, permissions: ['users:write'] };

function send(path: string, principal?: Principal, init?: RequestInit) {
  const meta = {
    requestId: 'req_1',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    principal,
  };
  return serveForwarded(app, new Request(`http://svc${path}`, init), meta, {}, ctx);
}

describe('access', () => {
  it('lets anyone call a public route', async () => {
    const res = await send('/open');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ caller: null });
  });

  it('answers 401 to an anonymous caller of a signed-in route', async () => {
    const res = await send('/me');
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('UNAUTHENTICATED');
    expect((await send('/me', member)).status).toBe(200);
  });

  it('checks the permission before the body, so a refused caller learns nothing of the input', async () => {
    const invalid = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const refused = await send('/notes', member, invalid);
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).code).toBe('FORBIDDEN');
    expect((await send('/notes', writer, invalid)).status).toBe(400);
  });

  it('declares the access in the OpenAPI document the gateway checks its table against', () => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    expect(paths['/open']?.get?.[ACCESS_EXTENSION]).toBe('public');
    expect(paths['/notes']?.post?.[ACCESS_EXTENSION]).toBe('users:write');
    expect(paths['/notes']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(paths['/me']?.get?.['x-onasis-api-keys']).toBe(true);
  });
});

describe('createServiceApp with resources', () => {
  const items = resourceApp<{ Bindings: object }>();
  items.openapi(
    createRoute({ method: 'get', path: '/{id}', ...access('public'), responses: { 200: { description: 'one' } } }),
    (c) => c.json({ item: c.req.param('id') }),
  );
  const archive = resourceApp<{ Bindings: object }>();
  archive.openapi(
    createRoute({ method: 'get', path: '/', ...access('public'), responses: { 200: { description: 'all' } } }),
    (c) => c.json({ archive: true }),
  );
  // Listed with the `{id}` resource first: the deeper, fixed prefix must still win.
  const mounted = createServiceApp<{ Bindings: object }>('test', { '/items': items, '/items/archive': archive });
  const get = (path: string) => mounted.fetch(new Request(`http://svc${path}`), {}, ctx);

  it('routes a fixed path to its own resource whatever order the resources are listed in', async () => {
    expect(await (await get('/items/archive')).json()).toEqual({ archive: true });
    expect(await (await get('/items/itm_1')).json()).toEqual({ item: 'itm_1' });
  });

  it('documents every resource under its prefix and answers 405 for a method no route has', async () => {
    const doc = mounted.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/items/archive', '/items/{id}']);
    expect((await mounted.fetch(new Request('http://svc/items/archive', { method: 'DELETE' }), {}, ctx)).status).toBe(
      405,
    );
  });
});
