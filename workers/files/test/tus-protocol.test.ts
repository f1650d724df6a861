import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { reservations, uploads } from '../src/db/schema.js';
import {
  createUpload,
  MiB,
  newUpload,
  patchUpload,
  randomBytes,
  someMember,
  storedState,
  streamOf,
  tusCall,
  uploadAt,
} from './support/tus-client.js';

const uploadsOf = (userId: string) => dbOf(env.DB).select().from(uploads).where(eq(uploads.ownerId, userId)).all();

describe('tus protocol', () => {
  it('answers discovery on OPTIONS', async () => {
    const res = await tusCall('/api/v1/uploads', { method: 'OPTIONS' }, someMember(), null);
    expect(res.status).toBe(204);
    expect(res.headers.get('tus-version')).toBe('1.0.0');
    expect(res.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination,expiration');
    expect(res.headers.get('tus-max-size')).toBe(env.MAX_UPLOAD_BYTES);
  });

  it('refuses requests without Tus-Resumable 1.0.0 with 412 and Tus-Version', async () => {
    const who = someMember();
    for (const version of [null, '0.2.2']) {
      const res = await tusCall('/api/v1/uploads', { method: 'POST', headers: { 'upload-length': '5' } }, who, version);
      expect(res.status).toBe(412);
      expect(res.headers.get('tus-version')).toBe('1.0.0');
      expect(await res.json()).toMatchObject({ code: 'PRECONDITION_FAILED' });
    }
    const id = await newUpload(who, 10);
    const head = await tusCall(`/api/v1/uploads/${id}`, { method: 'HEAD' }, who, null);
    expect(head.status).toBe(412);
    expect(await uploadsOf(who.userId)).toHaveLength(1);
  });

  it('refuses bad metadata and lengths with 400 and stores nothing', async () => {
    const who = someMember();
    const bad: [Record<string, string>, Record<string, string>][] = [
      [{ filetype: 'text/plain' }, {}],
      [{ filename: 'a/b.txt' }, {}],
      [{ filename: '..' }, {}],
      [{ filename: 'ok.txt', folder: 'a//b' }, {}],
      [{ filename: 'bell\u0007.txt' }, {}],
      [{ filename: 'ok.txt' }, { 'upload-defer-length': '1' }],
      [{ filename: 'ok.txt' }, { 'upload-length': '-1' }],
      [{ filename: 'ok.txt' }, { 'upload-length': '12abc' }],
    ];
    for (const [metadata, headers] of bad) {
      const res = await createUpload(who, 10, metadata, headers);
      expect(res.status, JSON.stringify(metadata)).toBe(400);
    }
    const garbled = await tusCall(
      '/api/v1/uploads',
      { method: 'POST', headers: { 'upload-length': '10', 'upload-metadata': 'filename %%%' } },
      who,
    );
    expect(garbled.status).toBe(400);
    expect(await uploadsOf(who.userId)).toEqual([]);
  });

  it('refuses an upload over MAX_UPLOAD_BYTES or over the quota with 413 before any byte', async () => {
    const who = someMember();
    const tooBig = await createUpload(who, Number(env.MAX_UPLOAD_BYTES) + 1);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await dbOf(env.DB)
      .insert(reservations)
      .values({
        id: `res_${crypto.randomUUID()}`,
        ownerId: who.userId,
        bytes: 1024 * MiB - 10,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    const over = await createUpload(who, 11);
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ code: 'STORAGE_QUOTA_EXCEEDED' });
    expect(await uploadsOf(who.userId)).toEqual([]);
    expect((await createUpload(who, 10)).status).toBe(201);
  });

  it('refuses a PATCH that is not application/offset+octet-stream or has no offset', async () => {
    const who = someMember();
    const id = await newUpload(who, 10);
    const wrongType = await tusCall(
      `/api/v1/uploads/${id}`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'upload-offset': '0' },
        body: streamOf(randomBytes(10)),
      },
      who,
    );
    expect(wrongType.status).toBe(415);
    const noOffset = await tusCall(
      `/api/v1/uploads/${id}`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream' },
        body: streamOf(randomBytes(10)),
      },
      who,
    );
    expect(noOffset.status).toBe(400);
    expect((await uploadAt(who, id)).headers.get('upload-offset')).toBe('0');
  });

  it("answers 404 to every route of another user's upload and leaves it alone", async () => {
    const alice = someMember();
    const bob = someMember();
    const id = await newUpload(alice, 20);
    expect((await patchUpload(alice, id, 0, streamOf(randomBytes(5)))).status).toBe(204);
    for (const method of ['HEAD', 'GET', 'DELETE'] as const) {
      expect((await uploadAt(bob, id, method)).status, method).toBe(404);
    }
    const patch = await patchUpload(bob, id, 5, streamOf(randomBytes(15)));
    expect(patch.status).toBe(404);
    expect(await patch.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await uploadAt(alice, id)).headers.get('upload-offset')).toBe('5');
    expect((await storedState(id)).upload?.status).toBe('active');
  });
});
