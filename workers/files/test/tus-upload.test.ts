import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sessionOf } from '../src/services/tus-session.js';
import {
  createUpload,
  MiB,
  newUpload,
  patchUpload,
  randomBytes,
  sha256Hex,
  someMember,
  storedState,
  streamOf,
  uploadAt,
  uploadIdOf,
} from './support/tus-client.js';

describe('tus uploads', () => {
  it('stores a file sent in one PATCH and names it in Onasis-File-Id', async () => {
    const who = someMember();
    const bytes = randomBytes(1000);
    const id = await newUpload(who, bytes.byteLength, { filename: 'one.bin', folder: 'docs/2026' });
    const res = await patchUpload(who, id, 0, streamOf(bytes));
    expect(res.status, await res.clone().text()).toBe(204);
    expect(res.headers.get('upload-offset')).toBe('1000');
    expect(res.headers.get('tus-resumable')).toBe('1.0.0');
    const fileId = res.headers.get('onasis-file-id');
    const state = await storedState(id);
    expect(fileId).toBe(state.file?.id);
    expect(state.file).toMatchObject({
      name: 'one.bin',
      folder: 'docs/2026',
      size: 1000,
      sha256: await sha256Hex(bytes),
    });
    expect(state.upload?.status).toBe('completed');
    expect(state.reservation).toBeUndefined();
    expect(state.objects).toEqual([]);
    const view = await uploadAt(who, id, 'GET');
    expect(await view.json()).toMatchObject({ id, offset: 1000, length: 1000, status: 'completed', fileId });
  });

  it('takes the first bytes with the creation request (creation-with-upload)', async () => {
    const who = someMember();
    const bytes = randomBytes(300);
    const res = await createUpload(
      who,
      600,
      { filename: 'two.bin' },
      { 'content-type': 'application/offset+octet-stream' },
      streamOf(bytes.subarray(0, 200)),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('upload-offset')).toBe('200');
    expect(res.headers.get('location')).toMatch(/^https?:\/\/[^/]+\/api\/v1\/uploads\/upl_[0-9a-f]{32}$/);
    expect(new Date(res.headers.get('upload-expires') ?? '').getTime()).toBeGreaterThan(Date.now());
    const id = uploadIdOf(res);
    const head = await uploadAt(who, id);
    expect(head.headers.get('upload-offset')).toBe('200');
    expect(head.headers.get('upload-length')).toBe('600');
    expect(head.headers.get('cache-control')).toBe('no-store');
  });

  it('gathers odd-sized PATCHes into equal parts and stores the exact bytes', async () => {
    const who = someMember();
    const bytes = randomBytes(11 * MiB + 333);
    const id = await newUpload(who, bytes.byteLength);
    const cuts = [1, 3 * MiB + 7, 3 * MiB + 8, 8 * MiB + 5, 10 * MiB, bytes.byteLength];
    let offset = 0;
    let last: Response | undefined;
    for (const cut of cuts) {
      last = await patchUpload(who, id, offset, streamOf(bytes.subarray(offset, cut), 100_000));
      expect(last.status, await last.clone().text()).toBe(204);
      expect(last.headers.get('upload-offset')).toBe(String(cut));
      offset = cut;
    }
    const state = await storedState(id);
    expect(last?.headers.get('onasis-file-id')).toBe(state.file?.id);
    expect(state.file?.size).toBe(bytes.byteLength);
    expect(state.file?.sha256).toBe(await sha256Hex(bytes));
    expect(state.objects).toEqual([]);
  }, 60_000);

  it('answers 409 with the real offset to a wrong Upload-Offset and to a repeated PATCH', async () => {
    const who = someMember();
    const bytes = randomBytes(100);
    const id = await newUpload(who, 100);
    const wrong = await patchUpload(who, id, 5, streamOf(bytes));
    expect(wrong.status).toBe(409);
    expect(wrong.headers.get('upload-offset')).toBe('0');
    expect((await patchUpload(who, id, 0, streamOf(bytes.subarray(0, 40)))).status).toBe(204);
    const repeated = await patchUpload(who, id, 0, streamOf(bytes.subarray(0, 40)));
    expect(repeated.status).toBe(409);
    expect(repeated.headers.get('upload-offset')).toBe('40');
    expect((await uploadAt(who, id)).headers.get('upload-offset')).toBe('40');
  });

  it('finishes on HEAD an upload whose last PATCH stored every byte but died before storing the file', async () => {
    const who = someMember();
    const bytes = randomBytes(2000);
    const id = await newUpload(who, bytes.byteLength, { filename: 'late.bin' });
    // The session takes the bytes as the route would, but no request goes on to store the file.
    expect(await sessionOf(env, id).patch(0, streamOf(bytes))).toEqual({ kind: 'stored', offset: 2000 });
    expect((await storedState(id)).upload?.status).toBe('active');
    const head = await uploadAt(who, id);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('2000');
    const state = await storedState(id);
    expect(head.headers.get('onasis-file-id')).toBe(state.file?.id);
    expect(state.file?.sha256).toBe(await sha256Hex(bytes));
    expect(state.upload?.status).toBe('completed');
    const again = await uploadAt(who, id);
    expect(again.headers.get('onasis-file-id')).toBe(state.file?.id);
  });

  it('stores an empty upload at creation', async () => {
    const who = someMember();
    const res = await createUpload(who, 0, { filename: 'empty.txt' });
    expect(res.status).toBe(201);
    const fileId = res.headers.get('onasis-file-id');
    expect(fileId).toMatch(/^fil_/);
    expect((await storedState(uploadIdOf(res))).file?.size).toBe(0);
  });
});
