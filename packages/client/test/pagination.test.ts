import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedInClient } from './support/clients.js';
import type { PlatformServer } from './support/platform-server.js';
import { JOB_COUNT, startPlatform } from './support/routes.js';

let server: PlatformServer;
beforeEach(async () => {
  server = await startPlatform();
});
afterEach(() => server.close());

describe('paginate', () => {
  it('yields every item of every page in order, following nextCursor to the end', async () => {
    const { client } = await signedInClient(server);
    const ids: string[] = [];
    for await (const job of client.paginate('/api/v1/jobs')) ids.push(job.id);

    expect(ids).toHaveLength(JOB_COUNT);
    expect(ids[0]).toBe('job_001');
    expect(ids.at(-1)).toBe(`job_0${JOB_COUNT}`);
    expect(new Set(ids).size).toBe(JOB_COUNT);
    const cursors = server.seen('GET /api/v1/jobs').map((s) => s.query.get('cursor'));
    expect(cursors).toEqual([null, 'cur_20', 'cur_40', 'cur_60']);
  });

  it('keeps the caller’s filters and limit on every page', async () => {
    const { client } = await signedInClient(server);
    const statuses: string[] = [];
    const query = { status: 'failed', limit: 5 } as const;
    for await (const job of client.paginate('/api/v1/jobs', { params: { query } })) statuses.push(job.status);

    expect(statuses).toEqual(Array(13).fill('failed'));
    const sent = server.seen('GET /api/v1/jobs');
    expect(sent).toHaveLength(3);
    for (const s of sent) expect([s.query.get('status'), s.query.get('limit')]).toEqual(['failed', '5']);
  });

  it('fetches no further page once the loop breaks', async () => {
    const { client } = await signedInClient(server);
    let seen = 0;
    for await (const _job of client.paginate('/api/v1/jobs')) {
      if (++seen === 25) break;
    }
    expect(server.seen('GET /api/v1/jobs')).toHaveLength(2);
  });

  it('rejects the loop with the page’s error', async () => {
    const { client } = await signedInClient(server);
    server.script('GET /api/v1/jobs', { status: 403, body: { code: 'FORBIDDEN', status: 403, requestId: 'r_1' } });
    const loop = async () => {
      for await (const _job of client.paginate('/api/v1/jobs')) {
        // The first page already fails.
      }
    };
    await expect(loop()).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403, requestId: 'r_1' });
  });
});
