import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, platformEvents, sites, userWeeks } from '../src/db/schema.js';
import { eraseAnalyticsUser } from '../src/services/erase-user.js';
import { dailyRow, db, deliver, runJob, someSite, tracked } from './pipeline-helpers.js';

const DAY = 86_400_000;

async function siteOf(ownerId: string) {
  const id = someSite();
  await db()
    .insert(sites)
    .values({ id, ownerId, domain: `${id}.example`, name: 'x', timezone: 'UTC', ingestKeyHash: id });
  return id;
}

const someUser = () => `usr_${crypto.randomUUID()}`;

describe('analytics.erase-user', () => {
  it("deletes the user's identified events and rebuilds the days so rollups no longer count them", async () => {
    const user = someUser();
    const other = someUser();
    const siteId = await siteOf(someUser());
    const ts = Date.now() - DAY;
    const date = new Date(ts).toISOString().slice(0, 10);
    await deliver([
      tracked({ siteId, ts, userId: user, visitorId: 'u', name: 'Purchase', revenue: 500 }),
      tracked({ siteId, ts, userId: other, visitorId: 'o', name: 'Purchase', revenue: 700 }),
      tracked({ siteId, ts, visitorId: 'anon' }),
    ]);
    expect(await dailyRow(siteId, date)).toMatchObject({ visitors: 3, revenue: 1200 });

    expect(await runJob('analytics.erase-user', { userId: user })).toMatchObject({ ok: true, data: { more: false } });
    const left = await db().select().from(events).where(eq(events.siteId, siteId));
    expect(left.map((e) => e.userId).sort()).toEqual([null, other]);
    expect(await dailyRow(siteId, date)).toMatchObject({ visitors: 2, revenue: 700, events: 1, pageviews: 1 });
    expect(await db().select().from(userWeeks).where(eq(userWeeks.userId, user))).toEqual([]);
    expect(await db().select().from(userWeeks).where(eq(userWeeks.userId, other))).toHaveLength(1);
  });

  it('deletes the sites the user owns with their data and leaves others alone', async () => {
    const user = someUser();
    const mine = await siteOf(user);
    const theirs = await siteOf(someUser());
    for (const siteId of [mine, theirs]) await deliver([tracked({ siteId, ts: Date.now() - DAY })]);
    expect(await runJob('analytics.erase-user', { userId: user })).toMatchObject({ ok: true, data: { sites: 1 } });
    expect(await db().select().from(sites).where(eq(sites.id, mine))).toEqual([]);
    expect(await db().select().from(events).where(eq(events.siteId, mine))).toEqual([]);
    expect(await db().select().from(events).where(eq(events.siteId, theirs))).toHaveLength(1);
  });

  it("clears the user id of the user's platform events and keeps their amounts", async () => {
    const user = someUser();
    const id = `payment.succeeded:${crypto.randomUUID()}`;
    await db()
      .insert(platformEvents)
      .values({
        id,
        type: 'payment.succeeded',
        userId: user,
        occurredAt: new Date().toISOString(),
        date: new Date().toISOString().slice(0, 10),
        amount: 900,
        currency: 'usd',
        data: {},
      });
    await runJob('analytics.erase-user', { userId: user });
    const [row] = await db().select().from(platformEvents).where(eq(platformEvents.id, id));
    expect(row).toMatchObject({ userId: null, amount: 900 });
  });

  it('is safe to repeat and continues after running out of time', async () => {
    const user = someUser();
    const siteId = await siteOf(someUser());
    await deliver([
      tracked({ siteId, ts: Date.now() - DAY, userId: user, name: 'Login' }),
      tracked({ siteId, ts: Date.now() - 2 * DAY, userId: user, name: 'Login' }),
    ]);
    expect(await eraseAnalyticsUser(db(), user, 30, Date.now(), 0)).toMatchObject({ days: 0, more: true });
    expect(await db().select().from(events).where(eq(events.userId, user))).toHaveLength(2);
    expect(await runJob('analytics.erase-user', { userId: user })).toMatchObject({ ok: true, data: { days: 2 } });
    expect(await runJob('analytics.erase-user', { userId: user })).toMatchObject({ ok: true, data: { days: 0 } });
    expect(await db().select().from(events).where(eq(events.userId, user))).toEqual([]);
  });

  it('answers a payload without a userId as not retryable', async () => {
    expect(await runJob('analytics.erase-user', {})).toMatchObject({ ok: false, retryable: false });
  });
});
