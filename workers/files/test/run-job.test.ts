import { describe, expect, it } from 'vitest';
import { runJob } from './support/life-jobs.js';

describe('FilesService.runJob', () => {
  it('runs every lifecycle step and reports each', async () => {
    const outcome = await runJob('files.lifecycle', {});
    expect(outcome).toMatchObject({ ok: true, data: { more: false } });
    expect(Object.keys((outcome as { data: object }).data).sort()).toEqual(
      ['expired', 'infrequentAccess', 'more', 'staleUploads', 'strayObjects', 'trash', 'unreferencedBlobs'].sort(),
    );
  });

  it('erases a user it never heard of as a success', async () => {
    expect(await runJob('files.erase-user', { userId: 'usr_nobody' })).toEqual({
      ok: true,
      data: { files: 0, uploads: 0, s3MultipartUploads: 0, more: false },
    });
  });

  it('refuses a bad payload and a job type it does not run, without retrying', async () => {
    for (const [type, payload] of [
      ['files.erase-user', {}],
      ['files.erase-user', { userId: '' }],
      ['files.lifecycle', { extra: true }],
      ['payments.maintenance', {}],
    ] as const)
      expect(await runJob(type, payload)).toMatchObject({ ok: false, retryable: false });
  });
});
