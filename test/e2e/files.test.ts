import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/http.js';
import { bearer, jsonRequest, registeredUser } from './support/identity.js';

interface FileView {
  id: string;
  name: string;
  folder: string;
  size: number;
  contentType: string;
  sha256: string;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function uploadRaw(token: string, name: string, body: string | Uint8Array, type: string, folder = '') {
  const res = await api(`/api/v1/files?folder=${encodeURIComponent(folder)}`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': type, 'x-file-name': encodeURIComponent(name) },
    body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as FileView;
}

describe('files through the gateway', () => {
  it('stores a raw and a form upload, serves ranges, and keeps files from other users until shared', async () => {
    const owner = (await registeredUser()).tokens.accessToken;
    const text = 'Grüße aus der Datei — 0123456789'.repeat(200);
    const raw = await uploadRaw(owner, 'notes «draft».txt', text, 'text/plain; charset=utf-8', 'docs/2026');
    expect(raw).toMatchObject({ name: 'notes «draft».txt', folder: 'docs/2026', contentType: 'text/plain' });
    expect(raw.size).toBe(Buffer.byteLength(text));
    expect(raw.sha256).toBe(sha256(text));

    const form = new FormData();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    form.append('file', new Blob([png], { type: 'image/png' }), 'pixel.png');
    const posted = await api('/api/v1/files', { method: 'POST', headers: bearer(owner), body: form });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({ name: 'pixel.png', contentType: 'image/png', size: png.length });

    const part = await api(`/api/v1/files/${raw.id}/content`, { headers: { ...bearer(owner), range: 'bytes=0-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-4/${raw.size}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(Buffer.from(text).subarray(0, 5));
    const etag = part.headers.get('etag') ?? '';
    const unchanged = await api(`/api/v1/files/${raw.id}/content`, {
      headers: { ...bearer(owner), 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);

    const other = await registeredUser();
    const stranger = other.tokens.accessToken;
    for (const [path, init] of [
      [`/api/v1/files/${raw.id}`, {}],
      [`/api/v1/files/${raw.id}/content`, {}],
      [`/api/v1/files/${raw.id}/signed-url`, jsonRequest('POST', { expiresIn: 60 })],
      [`/api/v1/files/${raw.id}`, jsonRequest('PATCH', { name: 'mine.txt' })],
    ] as const) {
      const res = await api(path, { ...init, headers: { ...(init as RequestInit).headers, ...bearer(stranger) } });
      await expectProblem(res, 404, 'NOT_FOUND');
    }

    const shared = await api(
      `/api/v1/files/${raw.id}/shares`,
      jsonRequest('POST', { userId: other.id, access: 'read' }, bearer(owner)),
    );
    expect(shared.status).toBe(201);
    const read = await api(`/api/v1/files/${raw.id}/content`, { headers: bearer(stranger) });
    expect(read.status).toBe(200);
    expect(await read.text()).toBe(text);
    await expectProblem(
      await api(`/api/v1/files/${raw.id}`, jsonRequest('PATCH', { name: 'mine.txt' }, bearer(stranger))),
      404,
      'NOT_FOUND',
    );

    const usage = (await (await api('/api/v1/files/usage', { headers: bearer(owner) })).json()) as {
      bytesUsed: number;
      filesUsed: number;
    };
    expect(usage).toMatchObject({ bytesUsed: raw.size + png.length, filesUsed: 2 });
  });

  it('hands out a signed URL that works without a token until it is changed or the file is gone', async () => {
    const owner = (await registeredUser()).tokens.accessToken;
    const file = await uploadRaw(owner, 'report.csv', 'a,b\n1,2\n', 'text/csv');
    const signed = await api(
      `/api/v1/files/${file.id}/signed-url`,
      jsonRequest('POST', { expiresIn: 300, download: true }, bearer(owner)),
    );
    expect(signed.status).toBe(200);
    const { url } = (await signed.json()) as { url: string };
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await anonymous.text()).toBe('a,b\n1,2\n');
    const tampered = url.replace(/signature=./, (m) => `${m.slice(0, -1)}${m.endsWith('A') ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(403);

    expect((await api(`/api/v1/files/${file.id}`, { method: 'DELETE', headers: bearer(owner) })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    const restored = await api(`/api/v1/files/${file.id}/restore`, { method: 'POST', headers: bearer(owner) });
    expect(restored.status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
  });
});
