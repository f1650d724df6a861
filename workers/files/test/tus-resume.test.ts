import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eventually } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { uploads } from '../src/db/schema.js';
import { STALL_MS } from '../src/durable-objects/upload-session.js';
import { sessionOf } from '../src/services/tus-session.js';
import {
  MiB,
  newUpload,
  patchUpload,
  randomBytes,
  sha256Hex,
  someMember,
  storedState,
  streamOf,
  uploadAt,
} from './support/tus-client.js';

/** A body that sends `bytes` in 1 MiB pieces, then breaks off as a dropped connection does. */
function brokenStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.error(new Error('connection reset'));
      controller.enqueue(bytes.slice(at, at + MiB));
      at += MiB;
    },
  });
}

const expireNow = (id: string) =>
  dbOf(env.DB)
    .update(uploads)
    .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
    .where(eq(uploads.id, id));

describe('tus resumption, termination and expiry', () => {
  it('keeps what a broken-off PATCH delivered, and resumes from HEAD to the exact bytes', async () => {
    const who = someMember();
    const bytes = randomBytes(11 * MiB + 5);
    const id = await newUpload(who, bytes.byteLength);
    await patchUpload(who, id, 0, brokenStream(bytes.subarray(0, 9 * MiB))).catch(() => undefined);
    const offset = Number((await uploadAt(who, id)).headers.get('upload-offset'));
    expect(offset).toBe(9 * MiB);
    const rest = await patchUpload(who, id, offset, streamOf(bytes.subarray(offset)));
    expect(rest.status, await rest.clone().text()).toBe(204);
    const state = await storedState(id);
    expect(rest.headers.get('onasis-file-id')).toBe(state.file?.id);
    expect(state.file?.sha256).toBe(await sha256Hex(bytes));
    expect(state.file?.size).toBe(bytes.byteLength);
  }, 60_000);

  it('refuses a second PATCH while one is in flight with 409', async () => {
    const who = someMember();
    const bytes = randomBytes(100);
    const id = await newUpload(who, 100);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pulls = 0;
    let reading = () => {};
    const readingStarted = new Promise<void>((resolve) => {
      reading = resolve;
    });
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 1) return controller.enqueue(bytes.slice(0, 50));
        reading();
        await gate;
        controller.close();
      },
    });
    const first = patchUpload(who, id, 0, slow);
    await readingStarted;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await patchUpload(who, id, 0, streamOf(bytes));
    expect(second.status).toBe(409);
    expect(second.headers.get('upload-offset')).toBe('0');
    release();
    const done = await first;
    expect(done.status).toBe(204);
    expect(done.headers.get('upload-offset')).toBe('50');
  });

  it('lets a new PATCH take over from one that stalled, keeping what the stalled one received', async () => {
    const who = someMember();
    const bytes = randomBytes(100);
    const id = await newUpload(who, 100);
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pulls = 0;
    const stalled = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 1) return controller.enqueue(bytes.slice(0, 50));
        await gate;
        controller.close();
      },
    });
    const first = patchUpload(who, id, 0, stalled);
    await new Promise((resolve) => setTimeout(resolve, STALL_MS + 500));
    const second = await patchUpload(who, id, 50, streamOf(bytes.subarray(50)));
    expect(second.status, await second.clone().text()).toBe(204);
    expect(second.headers.get('upload-offset')).toBe('100');
    expect((await storedState(id)).file?.sha256).toBe(await sha256Hex(bytes));
    release();
    expect((await first).status).toBe(400);
  }, 20_000);

  it('terminates an upload: bytes deleted, space released, then 404', async () => {
    const who = someMember();
    const id = await newUpload(who, 100);
    expect((await patchUpload(who, id, 0, streamOf(randomBytes(30)))).status).toBe(204);
    expect((await storedState(id)).objects).toEqual([`tus/${id}/tail`]);
    expect((await uploadAt(who, id, 'DELETE')).status).toBe(204);
    const state = await storedState(id);
    expect(state.upload?.status).toBe('aborted');
    expect(state.reservation).toBeUndefined();
    expect(state.objects).toEqual([]);
    expect((await uploadAt(who, id)).status).toBe(404);
    expect((await patchUpload(who, id, 30, streamOf(randomBytes(70)))).status).toBe(404);
    expect((await uploadAt(who, id, 'DELETE')).status).toBe(404);
  });

  it('aborts an upload at expiry by its alarm: 410, space released, bytes deleted', async () => {
    const who = someMember();
    const id = await newUpload(who, 100);
    expect((await patchUpload(who, id, 0, streamOf(randomBytes(30)))).status).toBe(204);
    await expireNow(id);
    expect(await runDurableObjectAlarm(sessionOf(env, id))).toBe(true);
    const state = await storedState(id);
    expect(state.upload?.status).toBe('aborted');
    expect(state.reservation).toBeUndefined();
    expect(state.objects).toEqual([]);
    const head = await uploadAt(who, id);
    expect(head.status).toBe(410);
    expect((await patchUpload(who, id, 30, streamOf(randomBytes(70)))).status).toBe(410);
  });

  it('answers 410 to an expired upload whose alarm has not run, and aborts it', async () => {
    const who = someMember();
    const id = await newUpload(who, 100);
    await expireNow(id);
    expect((await uploadAt(who, id, 'GET')).status).toBe(410);
    await eventually(async () => expect((await storedState(id)).upload?.status).toBe('aborted'));
    expect((await storedState(id)).reservation).toBeUndefined();
  });

  it('refuses a declared image that is not one at its first PATCH, before the rest arrives', async () => {
    const who = someMember();
    const id = await newUpload(who, 10 * MiB, { filename: 'photo.png', filetype: 'image/png' });
    const res = await patchUpload(who, id, 0, streamOf(randomBytes(5000)));
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'CONTENT_TYPE_MISMATCH' });
    const state = await storedState(id);
    expect(state.upload?.status).toBe('aborted');
    expect(state.reservation).toBeUndefined();
    expect(state.objects).toEqual([]);
    expect((await uploadAt(who, id)).status).toBe(404);
  });

  it('aborts the upload when the content is refused at its last byte', async () => {
    const who = someMember();
    const id = await newUpload(who, 64, { filename: 'photo.png', filetype: 'image/png' });
    const res = await patchUpload(who, id, 0, streamOf(randomBytes(64)));
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'CONTENT_TYPE_MISMATCH' });
    const state = await storedState(id);
    expect(state.upload?.status).toBe('aborted');
    expect(state.reservation).toBeUndefined();
    expect(state.objects).toEqual([]);
    expect((await uploadAt(who, id)).status).toBe(404);
  });
});
