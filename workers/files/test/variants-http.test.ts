import { describe, expect, it } from 'vitest';
import { imageInfo, magicOf, pngOf } from './support/life-images.js';
import { call, type FileView, member, upload } from './support/upload-helpers.js';

async function uploaded(bytes: Uint8Array, name: string, type: string) {
  const owner = member();
  const res = await upload(bytes, owner, { name, type });
  expect(res.status, await res.clone().text()).toBe(201);
  return { owner, file: await res.json<FileView>() };
}

describe('GET /api/v1/files/{id}/content with an image query', () => {
  it('answers the variant of an uploaded image, computed once', async () => {
    const { owner, file } = await uploaded(await pngOf(320, 160), 'photo.png', 'image/png');
    const path = `/api/v1/files/${file.id}/content?w=80&h=80&fit=cover&format=webp`;
    const res = await call(path, {}, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(magicOf(bytes)).toBe('image/webp');
    expect(await imageInfo(bytes)).toEqual({ format: 'image/webp', width: 80, height: 80 });
    const again = await call(path, {}, owner);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(bytes);
    expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
  });

  it('refuses sides over 2,500 px and files that are not images, and hides the file from others', async () => {
    const { owner, file } = await uploaded(await pngOf(20, 20), 'small.png', 'image/png');
    const tooWide = await call(`/api/v1/files/${file.id}/content?w=2501`, {}, owner);
    expect(tooWide.status).toBe(400);
    const text = await uploaded(new TextEncoder().encode('just some text'), 'notes.txt', 'text/plain');
    const notImage = await call(`/api/v1/files/${text.file.id}/content?w=10`, {}, text.owner);
    expect(notImage.status).toBe(400);
    expect(await notImage.json()).toMatchObject({ code: 'NOT_AN_IMAGE' });
    expect((await call(`/api/v1/files/${file.id}/content?w=10`, {}, member())).status).toBe(404);
  });
});
