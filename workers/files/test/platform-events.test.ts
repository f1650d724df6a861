import { waitForRecorded } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { call, member, randomBytes, upload } from './support/upload-helpers.js';

const QUEUE = 'test-platform-events';
const ofFile = (id: string, type: string) => (m: Record<string, unknown>) =>
  m.type === type && (m.data as { fileId?: string }).fileId === id;

describe('platform events', () => {
  it('publishes file.uploaded for a stored file and file.deleted once it is gone for good', async () => {
    const alice = member();
    const bytes = randomBytes(2048);
    const res = await upload(bytes, alice, { name: 'counted.bin' });
    expect(res.status).toBe(201);
    const file = await res.json<{ id: string }>();
    const [uploaded] = (await waitForRecorded(QUEUE, (ms) => ms.some(ofFile(file.id, 'file.uploaded')))).filter(
      ofFile(file.id, 'file.uploaded'),
    );
    expect(uploaded).toMatchObject({
      kind: 'platform-event',
      id: `file.uploaded:${file.id}`,
      userId: alice.userId,
      data: { fileId: file.id, size: 2048, contentType: 'application/octet-stream' },
    });
    // Trashing is no deletion (it can be undone); a permanent delete is.
    expect((await call(`/api/v1/files/${file.id}`, { method: 'DELETE' }, alice)).status).toBe(204);
    expect((await call(`/api/v1/files/${file.id}?permanent=true`, { method: 'DELETE' }, alice)).status).toBe(204);
    const deleted = await waitForRecorded(QUEUE, (ms) => ms.some(ofFile(file.id, 'file.deleted')));
    expect(deleted.filter(ofFile(file.id, 'file.deleted'))).toEqual([
      expect.objectContaining({
        id: `file.deleted:${file.id}`,
        userId: alice.userId,
        data: { fileId: file.id, size: 2048 },
      }),
    ]);
  });
});
