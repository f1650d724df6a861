import { describe, expect, it } from 'vitest';
import { api, expectProblem, unique } from './support/http.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const GENERATED_ID = /^req_[A-Za-z0-9]{8,}$/;

function traceOf(res: Response): { traceId: string; spanId: string; flags: string } {
  const header = res.headers.get('traceparent') ?? '';
  const m = TRACEPARENT.exec(header);
  if (!m?.[1] || !m[2] || !m[3]) throw new Error(`not a W3C traceparent: "${header}"`);
  expect(m[1]).not.toMatch(/^0+$/);
  expect(m[2]).not.toMatch(/^0+$/);
  return { traceId: m[1], spanId: m[2], flags: m[3] };
}

describe('X-Request-Id', () => {
  it('is generated for a request that brings none, fresh each time', async () => {
    const [a, b] = await Promise.all([api('/health'), api('/health')]);
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    expect(ids[0]).toMatch(GENERATED_ID);
    expect(ids[1]).toMatch(GENERATED_ID);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it.each([
    ['letters, digits and ._:-', unique('client-01.A_b:c-')],
    ['128 characters', 'r'.repeat(128)],
  ])('reuses a sane incoming id (%s)', async (_, id) => {
    const res = await api('/health', { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it.each([
    ['129 characters', 'r'.repeat(129)],
    ['a space', 'two words'],
    ['a slash', 'a/b'],
    ['quotes and angle brackets', '"><script>'],
    ['an empty value', ''],
  ])('replaces an incoming id with %s by a generated one', async (_, id) => {
    const res = await api('/health', { headers: { 'x-request-id': id } });
    const answered = res.headers.get('x-request-id');
    expect(answered).toMatch(GENERATED_ID);
    expect(answered).not.toBe(id);
  });

  it('is the requestId of a problem answered by the gateway', async () => {
    const id = unique('gw-');
    const problem = await expectProblem(
      await api('/nope', { headers: { 'x-request-id': id } }),
      404,
      'ROUTE_NOT_FOUND',
    );
    expect(problem.requestId).toBe(id);
  });

  it('reaches the domain Worker: its problem carries the same id', async () => {
    const id = unique('identity-');
    const res = await api('/auth/e2e-nothing', { headers: { 'x-request-id': id } });
    const problem = await expectProblem(res, 404, 'ROUTE_NOT_FOUND');
    expect(problem.requestId).toBe(id);
  });

  it('is the same in the header and the problem when generated', async () => {
    const res = await api('/auth/e2e-nothing', { headers: { 'x-request-id': 'not sane' } });
    const problem = await expectProblem(res, 404, 'ROUTE_NOT_FOUND');
    expect(problem.requestId).toMatch(GENERATED_ID);
  });
});

describe('traceparent', () => {
  const incoming = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

  it('continues a valid incoming trace with a new span id and the same flags', async () => {
    for (const flags of ['01', '00']) {
      const res = await api('/health', {
        headers: { traceparent: `00-${incoming.traceId}-${incoming.spanId}-${flags}` },
      });
      const trace = traceOf(res);
      expect(trace.traceId).toBe(incoming.traceId);
      expect(trace.spanId).not.toBe(incoming.spanId);
      expect(trace.flags).toBe(flags);
    }
  });

  it('continues the trace through a domain Worker', async () => {
    const res = await api('/.well-known/jwks.json', {
      // Past the gateway's response cache, so that the request does reach identity.
      headers: { traceparent: `00-${incoming.traceId}-${incoming.spanId}-01`, 'cache-control': 'no-cache' },
    });
    expect(res.status).toBe(200);
    expect(traceOf(res).traceId).toBe(incoming.traceId);
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${incoming.spanId}-01`],
    ['an all-zero parent id', `00-${incoming.traceId}-${'0'.repeat(16)}-01`],
    ['a short trace id', `00-${incoming.traceId.slice(1)}-${incoming.spanId}-01`],
    ['a non-hex character', `00-${incoming.traceId.slice(0, 31)}g-${incoming.spanId}-01`],
  ])('starts a new trace for %s', async (_, traceparent) => {
    const res = await api('/health', { headers: { traceparent } });
    const trace = traceOf(res);
    expect(trace.traceId).not.toBe(incoming.traceId);
    expect(traceparent).not.toContain(trace.traceId);
  });

  it('starts a different trace for each request that brings none', async () => {
    const [a, b] = await Promise.all([api('/health'), api('/health')]);
    expect(traceOf(a).traceId).not.toBe(traceOf(b).traceId);
  });

  it('is set on error responses too', async () => {
    const res = await api('/nope', { headers: { traceparent: `00-${incoming.traceId}-${incoming.spanId}-01` } });
    expect(res.status).toBe(404);
    expect(traceOf(res).traceId).toBe(incoming.traceId);
  });
});
