import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedInClient } from './support/clients.js';
import type { PlatformServer } from './support/platform-server.js';
import { startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

const busy = { status: 503, headers: { 'retry-after': '0' }, body: { code: 'SERVICE_UNAVAILABLE' } };
const limited = { status: 429, headers: { 'retry-after': '0' }, body: { code: 'RATE_LIMITED' } };

describe('Idempotency-Key', () => {
  it('sends the same generated key on every retry of a mutation', async () => {
    const { client } = await signedInClient(server);
    server.script('POST /api/v1/jobs', busy, limited);
    const job = await client.POST('/api/v1/jobs', { body: { type: 'report.build' } });

    expect(job).toMatchObject({ id: 'job_900', type: 'report.build' });
    const keys = server.seen('POST /api/v1/jobs').map((s) => s.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('keeps the key when the mutation is sent again after a refresh', async () => {
    const { client } = await signedInClient(server);
    server.store.expireAccessTokens();
    await client.POST('/api/v1/jobs', { body: { type: 'report.build' } });

    const sent = server.seen('POST /api/v1/jobs');
    expect(sent.map((s) => s.authorization)).toEqual([expect.any(String), `Bearer ${client.tokens()?.accessToken}`]);
    expect(sent[0]?.authorization).not.toBe(sent[1]?.authorization);
    expect(sent[0]?.idempotencyKey).toBeDefined();
    expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
  });

  it('keeps a key the caller chose, across retries too', async () => {
    const { client } = await signedInClient(server);
    server.script('POST /api/v1/jobs', busy);
    await client.POST('/api/v1/jobs', { body: { type: 'x' }, headers: { 'Idempotency-Key': 'order-42-build' } });

    expect(server.seen('POST /api/v1/jobs').map((s) => s.idempotencyKey)).toEqual(['order-42-build', 'order-42-build']);
  });

  it('gives each call its own key, every mutating method one, and reads none', async () => {
    const { client } = await signedInClient(server);
    await client.POST('/api/v1/jobs', { body: { type: 'a' } });
    await client.POST('/api/v1/jobs', { body: { type: 'a' } });
    await client.PATCH('/api/v1/users/me', { body: { name: 'Ada' } });
    await client.DELETE('/api/v1/users/me/sessions/{id}', { params: { path: { id: 'ses_1' } } });
    await client.GET('/api/v1/users/me');

    const [first, second] = server.seen('POST /api/v1/jobs').map((s) => s.idempotencyKey);
    expect(first).not.toBe(second);
    expect(server.seen('PATCH /api/v1/users/me')[0]?.idempotencyKey).toBeDefined();
    expect(server.seen('DELETE /api/v1/users/me/sessions/ses_1')[0]?.idempotencyKey).toBeDefined();
    expect(server.seen('GET /api/v1/users/me')[0]?.idempotencyKey).toBeUndefined();
  });
});
