import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOnasisClient } from '../src/client.js';
import { isProblem, OnasisError } from '../src/errors.js';
import { signedInClient } from './support/clients.js';
import type { PlatformServer } from './support/platform-server.js';
import { startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

async function failure(promise: Promise<unknown>): Promise<OnasisError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OnasisError);
  return err as OnasisError;
}

describe('OnasisError', () => {
  it('carries the problem+json body’s code, status, requestId, detail and field errors', async () => {
    const { client } = await signedInClient(server);
    const errors = [{ path: 'type', message: 'Required' }];
    server.script('POST /api/v1/jobs', {
      status: 400,
      body: {
        type: 'about:blank',
        title: 'Invalid',
        status: 400,
        code: 'VALIDATION_FAILED',
        requestId: 'req_v',
        detail: 'Fix it.',
        errors,
      },
    });
    const err = await failure(client.POST('/api/v1/jobs', { body: { type: '' } }));

    expect(err).toMatchObject({ name: 'OnasisError', code: 'VALIDATION_FAILED', status: 400, requestId: 'req_v' });
    expect(err.message).toBe('Fix it.');
    expect(err.errors).toEqual(errors);
    expect(err.problem?.title).toBe('Invalid');
    expect(isProblem(err, 'VALIDATION_FAILED')).toBe(true);
    expect(isProblem(err, 'NOT_FOUND')).toBe(false);
  });

  it('takes the request id of a platform answer from the server', async () => {
    const { client } = await signedInClient(server);
    const err = await failure(client.GET('/api/v1/jobs/{id}', { params: { path: { id: 'job_missing' } } }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.requestId).toMatch(/^req_\d+$/);
  });

  it('turns a body that is not problem+json into HTTP_<status> with the X-Request-Id header', async () => {
    const { client } = await signedInClient(server);
    server.script('GET /api/v1/users/me', {
      status: 502,
      headers: { 'x-request-id': 'req_proxy' },
      body: '<html><body>Bad gateway</body></html>',
    });
    const err = await failure(client.GET('/api/v1/users/me'));

    expect(err).toMatchObject({ code: 'HTTP_502', status: 502, requestId: 'req_proxy', problem: null, errors: [] });
  });

  it('turns a request that got no answer into NETWORK_ERROR with status 0', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const client = createOnasisClient({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await failure(client.GET('/api/v1/users/me'));

    expect(err).toMatchObject({ code: 'NETWORK_ERROR', status: 0, requestId: null });
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it('turns a 2xx whose JSON does not parse into INVALID_RESPONSE', async () => {
    const { client } = await signedInClient(server);
    server.script('GET /api/v1/users/me', { status: 200, body: '<html>not json</html>' });
    const err = await failure(client.GET('/api/v1/users/me'));
    expect(err.code).toBe('INVALID_RESPONSE');
  });

  it('leaves the caller’s own abort an AbortError', async () => {
    const { client } = await signedInClient(server);
    const release = server.hold('GET /api/v1/users/me');
    const controller = new AbortController();
    const call = client.GET('/api/v1/users/me', { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    release();
  });

  it('reads a failed Response itself through OnasisError.from', async () => {
    const body = JSON.stringify({ code: 'CONFLICT', status: 409, title: 'Conflict', requestId: 'req_c' });
    const json = new Response(body, { status: 409, headers: { 'content-type': 'application/problem+json' } });
    expect(await OnasisError.from(json)).toMatchObject({ code: 'CONFLICT', requestId: 'req_c' });
    const text = new Response('Too big', { status: 413, headers: { 'x-request-id': 'req_t' } });
    expect(await OnasisError.from(text)).toMatchObject({ code: 'HTTP_413', requestId: 'req_t', message: 'Too big' });
  });
});
