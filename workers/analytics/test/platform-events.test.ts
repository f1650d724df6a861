import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { platformDaily, platformEvents } from '../src/db/schema.js';
import { deliverPlatform, ev } from './platform-helpers.js';

const db = dbOf(env.DB);

async function daily(date: string): Promise<Record<string, number>> {
  const rows = await db.select().from(platformDaily).where(eq(platformDaily.date, date)).all();
  return Object.fromEntries(rows.map((r) => [r.metric, r.value]));
}

describe('platform events consumer', () => {
  it('stores each business event and rebuilds the figures of its day', async () => {
    const day = '2021-03-01';
    const result = await deliverPlatform([
      ev.registered('usr_a1', day),
      ev.registered('usr_a2', day),
      ev.signedIn('usr_a1', day),
      ev.paid('usr_a1', day, 1200),
      ev.paid('usr_a2', day, 500, 'eur'),
      ev.refunded('usr_a1', day, 200),
      ev.uploaded('usr_a3', day, 4096),
      ev.subscription('subscription.started', 'usr_a1', day, 4900),
      ev.subscription('subscription.started', 'usr_a2', day, 12000, 'year'),
      ev.subscription('subscription.canceled', 'usr_a2', day, 1000),
    ]);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(await daily(day)).toEqual({
      signups: 2,
      active_users: 3,
      'revenue:usd': 1200,
      'revenue:eur': 500,
      'refunds:usd': 200,
      storage_uploaded: 4096,
      subscriptions_started: 2,
      subscriptions_canceled: 1,
      // 4900 + 12000 / 12 − 1000.
      'mrr_delta:usd': 4900,
    });
  });

  it('counts a redelivered batch once', async () => {
    const day = '2021-03-02';
    const batch = [ev.registered('usr_b1', day), ev.paid('usr_b1', day, 700), ev.uploaded('usr_b1', day, 10)];
    await deliverPlatform(batch);
    await deliverPlatform(batch);
    // The same event again inside a later batch, beside a new one.
    await deliverPlatform([batch[1], ev.registered('usr_b2', day)]);
    expect(await daily(day)).toEqual({ signups: 2, active_users: 2, 'revenue:usd': 700, storage_uploaded: 10 });
    const stored = await db
      .select({ id: platformEvents.id })
      .from(platformEvents)
      .where(eq(platformEvents.date, day))
      .all();
    expect(stored).toHaveLength(4);
  });

  it('rebuilds every day a batch touches, however late an event arrives', async () => {
    await deliverPlatform([ev.registered('usr_c1', '2021-04-01')]);
    await deliverPlatform([ev.registered('usr_c2', '2021-04-02'), ev.registered('usr_c3', '2021-04-01')]);
    expect((await daily('2021-04-01')).signups).toBe(2);
    expect((await daily('2021-04-02')).signups).toBe(1);
  });

  it('acknowledges unknown and malformed messages and still stores the good ones', async () => {
    const day = '2021-05-01';
    const good = ev.registered('usr_d1', day);
    const result = await deliverPlatform([
      'not json at all',
      { kind: 'platform-event', id: 'x:1', type: 'user.teleported', occurredAt: `${day}T00:00:00Z`, userId: null },
      { ...ev.paid('usr_d2', day, 100), data: { paymentId: 'p', provider: 's', amount: -5, currency: 'usd' } },
      { ...good, id: 'user.registered:no-date', occurredAt: 'yesterday' },
      null,
      good,
    ]);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(await daily(day)).toEqual({ signups: 1, active_users: 1 });
    const ids = await db
      .select({ id: platformEvents.id })
      .from(platformEvents)
      .where(inArray(platformEvents.id, ['x:1', 'user.registered:no-date', good.id]))
      .all();
    expect(ids.map((r) => r.id)).toEqual([good.id]);
  });

  it('stores a full batch of a hundred events over many days in one go', async () => {
    const bodies = Array.from({ length: 100 }, (_, i) =>
      ev.registered(`usr_e${i}`, `2021-06-${String((i % 30) + 1).padStart(2, '0')}`),
    );
    const result = await deliverPlatform(bodies);
    expect(result.retryMessages).toEqual([]);
    const rows = await db.select().from(platformDaily).where(eq(platformDaily.metric, 'signups')).all();
    const june = rows.filter((r) => r.date.startsWith('2021-06'));
    expect(june).toHaveLength(30);
    expect(june.reduce((n, r) => n + r.value, 0)).toBe(100);
  });
});
