import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';

function withService(name: 'IDENTITY' | 'FILES', binding: Service) {
  return { ...env, [name]: binding } as unknown as GatewayEnv;
}

async function health(gatewayEnv: GatewayEnv) {
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return app.fetch(new Request('http://gateway/health'), gatewayEnv, ctx);
}

describe('GET /health', () => {
  it('reports every service ok when each answers its health()', async () => {
    const res = await exports.default.fetch('http://gateway/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
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

  it('answers 503 degraded and names a service whose health() throws', async () => {
    const res = await health(withService('IDENTITY', env.FAULT_THROWS));
    expect(res.status).toBe(503);
    const body = await res.json<{ status: string; services: Record<string, string> }>();
    expect(body.status).toBe('degraded');
    expect(body.services.identity).toBe('error');
    expect(body.services.payments).toBe('ok');
    expect(JSON.stringify(body)).not.toContain('postgres://');
  });

  it('gives up on a service that outlasts the timeout and reports it as timed out', async () => {
    const started = Date.now();
    const res = await health(withService('FILES', env.FAULT_HANGS));
    expect(res.status).toBe(503);
    expect((await res.json<{ services: Record<string, string> }>()).services.files).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a service that says it is degraded', async () => {
    const res = await health(withService('IDENTITY', env.FAULT_DEGRADED));
    expect(res.status).toBe(503);
    expect((await res.json<{ services: Record<string, string> }>()).services.identity).toBe('degraded');
  });
});
