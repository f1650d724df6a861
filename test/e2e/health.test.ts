import { describe, expect, inject, it } from 'vitest';
import { api, jsonOf } from './support/http.js';

describe('GET /health', () => {
  it('tells an anonymous caller the overall status only', async () => {
    const res = await api('/health');
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ status: 'ok' });
  });

  it('reports each of the six services and their breakers to the holder of the metrics token', async () => {
    const res = await api('/health', { headers: { authorization: `Bearer ${inject('metricsToken')}` } });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({
      status: 'ok',
      services: { identity: 'ok', payments: 'ok', notifications: 'ok', analytics: 'ok', files: 'ok', jobs: 'ok' },
      breakers: {
        identity: 'closed',
        payments: 'closed',
        notifications: 'closed',
        analytics: 'closed',
        files: 'closed',
        jobs: 'closed',
      },
    });
  });

  it('forbids caching, so that a probe always sees the current state', async () => {
    const res = await api('/health');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers HEAD with the status and no body', async () => {
    const res = await api('/health', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});
