import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { deliver } from '../src/services/deliver.js';
import { call, createUser, principalOf, queuedDeliveries } from './helpers.js';

type Item = { id: string; title: string; read: boolean };

async function inboxItem(userId: string, change: string) {
  const deliveries = await queuedDeliveries({ to: userId, template: 'identity.mfa-changed', data: { change } });
  const inapp = deliveries.find((d) => d.channel === 'inapp');
  if (!inapp) throw new Error('no in-app delivery');
  await deliver(env, inapp.id);
}

describe('inbox', () => {
  it('lists own items newest first, pages, counts unread and marks read', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    for (const change of ['enabled', 'disabled', 'recovery_codes_regenerated']) await inboxItem(user.id, change);

    const first = (await (await call('/api/v1/notifications?limit=2', {}, me)).json()) as {
      data: Item[];
      nextCursor: string;
    };
    expect(first.data).toHaveLength(2);
    expect(first.data[0]?.title).toBe('Your two-factor authentication changed');
    const second = (await (await call(`/api/v1/notifications?limit=2&cursor=${first.nextCursor}`, {}, me)).json()) as {
      data: Item[];
      nextCursor: string | null;
    };
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data].map((i) => i.id);
    expect(new Set(ids).size).toBe(3);

    const count = async () =>
      ((await (await call('/api/v1/notifications/unread-count', {}, me)).json()) as { unread: number }).unread;
    expect(await count()).toBe(3);
    const read = await call(`/api/v1/notifications/${ids[0]}/read`, { method: 'POST' }, me);
    expect(await read.json()).toMatchObject({ id: ids[0], read: true });
    expect(await count()).toBe(2);
    const unread = (await (await call('/api/v1/notifications?unread=true', {}, me)).json()) as { data: Item[] };
    expect(unread.data.map((i) => i.id)).not.toContain(ids[0]);
    expect(await (await call('/api/v1/notifications/read-all', { method: 'POST' }, me)).json()).toEqual({ marked: 2 });
    expect(await count()).toBe(0);
  });

  it('hides one user’s items from another (404)', async () => {
    const owner = await createUser();
    const other = await createUser();
    await inboxItem(owner.id, 'enabled');
    const list = (await (await call('/api/v1/notifications', {}, principalOf(owner.id))).json()) as { data: Item[] };
    const id = list.data[0]?.id;
    expect((await call(`/api/v1/notifications/${id}/read`, { method: 'POST' }, principalOf(other.id))).status).toBe(
      404,
    );
    const theirs = (await (await call('/api/v1/notifications', {}, principalOf(other.id))).json()) as { data: Item[] };
    expect(theirs.data).toEqual([]);
  });

  it('refuses a cursor it did not issue', async () => {
    const res = await call('/api/v1/notifications?cursor=nonsense', {}, principalOf('usr_c'));
    expect(res.status).toBe(400);
  });
});

describe('push targets and phone', () => {
  it('registers a target once, lists it, and removes only the owner’s', async () => {
    const user = await createUser();
    const me = principalOf(user.id);
    const body = { kind: 'webpush', endpoint: 'https://push.example.com/abc', keys: { p256dh: 'p', auth: 'a' } };
    const a = (await (await call('/api/v1/notifications/push-targets', { json: body }, me)).json()) as { id: string };
    const b = (await (await call('/api/v1/notifications/push-targets', { json: body }, me)).json()) as { id: string };
    expect(b.id).toBe(a.id);
    expect(
      (await call('/api/v1/notifications/push-targets', { json: { kind: 'webpush', endpoint: 'http://insecure' } }, me))
        .status,
    ).toBe(400);
    expect(
      (await call(`/api/v1/notifications/push-targets/${a.id}`, { method: 'DELETE' }, principalOf('usr_other'))).status,
    ).toBe(404);
    expect((await call(`/api/v1/notifications/push-targets/${a.id}`, { method: 'DELETE' }, me)).status).toBe(204);
    expect(await (await call('/api/v1/notifications/push-targets', {}, me)).json()).toEqual({ data: [] });
  });
});
