import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlatformServer } from './support/platform-server.js';
import { startPlatform } from './support/routes.js';

// workerd through wrangler's own Miniflare and esbuild (as bench/lib/stack.mjs does), so the client runs in the
// runtime that Workers use, without a second vitest configuration.
const require = createRequire(import.meta.url);
const wranglerRequire = createRequire(require.resolve('wrangler'));
interface Esbuild {
  build(options: object): Promise<{ outputFiles: { text: string }[] }>;
}
interface MiniflareInstance {
  dispatchFetch(url: string, init: { method: string; body: string }): Promise<{ json(): Promise<unknown> }>;
  dispose(): Promise<void>;
}
const esbuild = wranglerRequire('esbuild') as Esbuild;
const { Miniflare, convertV4MiniflareOptions } = wranglerRequire('miniflare') as {
  Miniflare: new (options: object) => MiniflareInstance;
  convertV4MiniflareOptions: (options: object) => object;
};

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

// A Worker that signs in, pages through a list, creates a job and meets an error, all through the client.
const WORKER = `
import { createOnasisClient, OnasisError } from './index.ts';
export default {
  async fetch(request) {
    const { baseUrl, password } = await request.json();
    const client = createOnasisClient({ baseUrl });
    await client.signIn({ email: 'ada@example.com', password });
    const me = await client.GET('/api/v1/users/me');
    let jobs = 0;
    for await (const _job of client.paginate('/api/v1/jobs')) jobs++;
    const created = await client.POST('/api/v1/jobs', { body: { type: 'report.build' } });
    const error = await client.GET('/api/v1/jobs/{id}', { params: { path: { id: 'job_x' } } }).catch((err) => err);
    return Response.json({ me: me.id, jobs, created: created.id, error: error instanceof OnasisError && error.code });
  },
};`;

let server: PlatformServer;
let miniflare: MiniflareInstance | undefined;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(async () => {
  await miniflare?.dispose();
  await server.close();
});

describe('in workerd', () => {
  it('signs in, renews, retries, pages and reports errors as in Node', async () => {
    const bundle = await esbuild.build({
      stdin: { contents: WORKER, resolveDir: SRC, loader: 'ts', sourcefile: 'worker.ts' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    });
    const worker = {
      name: 'client',
      modules: true,
      script: bundle.outputFiles[0]?.text,
      compatibilityDate: '2026-11-01',
    };
    miniflare = new Miniflare(
      convertV4MiniflareOptions({ logRequests: false, telemetry: { enabled: false }, workers: [worker] }),
    );
    const expired = { status: 401, body: { code: 'UNAUTHENTICATED', status: 401, requestId: 'r', title: 'Expired' } };
    server.script('GET /api/v1/users/me', expired);
    server.script('POST /api/v1/jobs', { status: 503, headers: { 'retry-after': '0' }, body: { code: 'BUSY' } });

    const response = await miniflare.dispatchFetch('http://worker/', {
      method: 'POST',
      body: JSON.stringify({ baseUrl: server.url, password: 'correct horse battery staple' }),
    });
    expect(await response.json()).toEqual({ me: 'usr_ada', jobs: 65, created: 'job_900', error: 'NOT_FOUND' });
    expect(server.seen('POST /auth/refresh')).toHaveLength(1);
    const keys = server.seen('POST /api/v1/jobs').map((s) => s.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });
});
