import { createHash, randomBytes } from 'node:crypto';
import { Upload, type UploadOptions } from 'tus-js-client';
import { describe, expect, inject, it } from 'vitest';
import { api } from './support/http.js';
import { bearer, registeredUser } from './support/identity.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Sent {
  upload: Upload;
  /** Settles when the client reports success, with the last `Onasis-File-Id` it saw. */
  done: Promise<string | undefined>;
  fileId: () => string | undefined;
}

/** Starts a tus-js-client upload of `body` through the gateway, collecting `Onasis-File-Id` off the answers. */
function send(token: string, body: Buffer, options: Partial<UploadOptions> = {}): Sent {
  let fileId: string | undefined;
  let settle: { resolve: (id: string | undefined) => void; reject: (err: Error) => void } | undefined;
  const done = new Promise<string | undefined>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const upload = new Upload(body, {
    endpoint: new URL('/api/v1/uploads', inject('baseUrl')).href,
    headers: bearer(token),
    metadata: { filename: 'movie.bin', filetype: 'application/octet-stream', folder: 'tus' },
    retryDelays: [],
    storeFingerprintForResuming: false,
    onAfterResponse: (_req, res) => {
      fileId = res.getHeader('Onasis-File-Id') ?? fileId;
    },
    onSuccess: () => settle?.resolve(fileId),
    onError: (err) => settle?.reject(err),
    ...options,
  });
  upload.start();
  return { upload, done, fileId: () => fileId };
}

async function storedFile(token: string, id: string | undefined) {
  expect(id).toMatch(/^fil_/);
  const res = await api(`/api/v1/files/${id}`, { headers: bearer(token) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { size: number; sha256: string; name: string; folder: string };
}

describe('tus uploads through the gateway (tus-js-client)', () => {
  it('uploads a file in chunks and names it in Onasis-File-Id', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const body = randomBytes(3 * MiB + 17);
    const sent = send(token, body, { chunkSize: MiB });
    expect(await storedFile(token, await sent.done)).toMatchObject({
      size: body.byteLength,
      sha256: sha256(body),
      name: 'movie.bin',
      folder: 'tus',
    });
  }, 60_000);

  it('resumes an upload cut off after its first chunk to the exact bytes', async () => {
    const token = (await registeredUser()).tokens.accessToken;
    const body = randomBytes(11 * MiB + 123);
    let firstChunk = () => {};
    const chunked = new Promise<void>((resolve) => {
      firstChunk = resolve;
    });
    const first = send(token, body, { chunkSize: 5 * MiB, onChunkComplete: () => firstChunk() });
    first.done.catch(() => {});
    await chunked;
    await first.upload.abort();
    const url = first.upload.url;
    expect(url).toMatch(/\/api\/v1\/uploads\/upl_[0-9a-f]{32}$/);
    expect(first.fileId()).toBeUndefined();

    const head = await api(url ?? '', { method: 'HEAD', headers: { ...bearer(token), 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('upload-offset'))).toBe(5 * MiB);

    // The cut-off PATCH may still hold the upload for a moment (409) until the server sees its connection gone or
    // stalled; a client retries, as tus-js-client does by default.
    const resumed = send(token, body, { chunkSize: 5 * MiB, uploadUrl: url, retryDelays: [500, 1500, 3000, 5000] });
    const fileId = await resumed.done;
    expect(await storedFile(token, fileId)).toMatchObject({ size: body.byteLength, sha256: sha256(body) });
    const view = await api(url ?? '', { headers: { ...bearer(token), 'tus-resumable': '1.0.0' } });
    expect(await view.json()).toMatchObject({ status: 'completed', fileId, offset: body.byteLength });
  }, 120_000);
});
