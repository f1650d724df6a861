import { env } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, ingestDrops, userWeeks } from '../src/db/schema.js';
import { enginePointOf } from '../src/services/engine-points.js';
import { at, dailyRow, db, deliver, someSite, tracked } from './pipeline-helpers.js';

describe('analytics-events consumer', () => {
  it('stores raw events and rebuilds the day they fall on', async () => {
    const siteId = someSite();
    const batch = [
      tracked({ siteId, ts: at('2026-11-02T10:00'), pathname: '/a' }),
      tracked({ siteId, ts: at('2026-11-02T10:05'), pathname: '/b' }),
      tracked({ siteId, ts: at('2026-11-02T10:06'), name: 'Signup', pathname: '/b', revenue: 1200 }),
    ];
    const result = await deliver(batch);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.ackAll).toBe(true);
    const stored = await db()
      .select()
      .from(events)
      .where(
        inArray(
          events.id,
          batch.map((e) => e.id),
        ),
      );
    expect(stored).toHaveLength(3);
    expect(await dailyRow(siteId, '2026-11-02')).toMatchObject({
      pageviews: 2,
      visitors: 1,
      visits: 1,
      bounces: 0,
      duration: 360,
      events: 1,
      revenue: 1200,
    });
  });

  it('stores events in statements of at most 100 bound parameters', async () => {
    const siteId = someSite();
    const batch = Array.from({ length: 100 }, (_, i) =>
      tracked({ siteId, ts: at('2026-11-03T08:00') + i * 1000, visitorId: `v${i % 7}` }),
    );
    await deliver(batch);
    expect(await dailyRow(siteId, '2026-11-03')).toMatchObject({ pageviews: 100, visitors: 7, visits: 7 });
  });

  it('counts a redelivered batch once', async () => {
    const siteId = someSite();
    const batch = [
      tracked({ siteId, ts: at('2026-11-04T09:00') }),
      tracked({ siteId, ts: at('2026-11-04T09:01'), visitorId: 'visitor-b' }),
    ];
    await deliver(batch);
    const first = await dailyRow(siteId, '2026-11-04');
    await deliver(batch);
    await deliver([...batch, batch[0]]);
    expect(await dailyRow(siteId, '2026-11-04')).toEqual(first);
    expect(first).toMatchObject({ pageviews: 2, visitors: 2 });
  });

  it('adds drops to the per-day counts and retries nothing', async () => {
    const date = '2001-01-01';
    const before = await db().select().from(ingestDrops).where(eq(ingestDrops.date, date));
    const result = await deliver([
      { kind: 'drop', reason: 'bot', date },
      { kind: 'drop', reason: 'bot', date },
      { kind: 'drop', reason: 'no_user_agent', date },
    ]);
    expect(result.ackAll).toBe(true);
    const after = await db().select().from(ingestDrops).where(eq(ingestDrops.date, date));
    const countOf = (rows: typeof after, reason: string) => rows.find((r) => r.reason === reason)?.count ?? 0;
    expect(countOf(after, 'bot') - countOf(before, 'bot')).toBe(2);
    expect(countOf(after, 'no_user_agent') - countOf(before, 'no_user_agent')).toBe(1);
  });

  it('acknowledges malformed messages without retrying them and stores the rest', async () => {
    const siteId = someSite();
    const good = tracked({ siteId, ts: at('2026-11-05T12:00') });
    const result = await deliver([
      { kind: 'event', id: 'evt_bad' },
      'not an object',
      { ...good, id: 'evt_bad2', ts: 'soon' },
      good,
    ]);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(3);
    expect(await dailyRow(siteId, '2026-11-05')).toMatchObject({ pageviews: 1 });
    expect(
      await db()
        .select()
        .from(events)
        .where(inArray(events.id, ['evt_bad', 'evt_bad2'])),
    ).toEqual([]);
  });

  it('records the retention week of identified events once', async () => {
    const siteId = someSite();
    const batch = [
      tracked({ siteId, ts: at('2026-11-05T12:00'), userId: 'usr_1', name: 'Login' }),
      tracked({ siteId, ts: at('2026-11-06T12:00'), userId: 'usr_1', name: 'Login' }),
      tracked({ siteId, ts: at('2026-11-09T12:00'), userId: 'usr_1', name: 'Login' }),
    ];
    await deliver(batch);
    await deliver(batch);
    const weeks = await db().select().from(userWeeks).where(eq(userWeeks.siteId, siteId));
    expect(weeks.map((w) => w.week).sort()).toEqual(['2026-11-02', '2026-11-09']);
  });

  it('retries the whole batch when its write throws', async () => {
    const siteId = someSite();
    // props D1 cannot be sent: the write throws before anything is stored, as in an outage.
    const broken = { ...tracked({ siteId, ts: at('2026-11-05T12:00') }), props: { nested: { deep: 1n } } };
    const result = await deliver([broken]).catch((err: unknown) => err);
    expect(result).toMatchObject({ retryBatch: { retry: true } });
    expect(env.DB).toBeDefined();
  });

  it('maps an event onto the documented Analytics Engine columns', () => {
    const e = tracked({ siteId: 'site_x', ts: 5, source: 'Google', visitorId: 'v1', revenue: 300 });
    const point = enginePointOf(e);
    expect(point.indexes).toEqual(['site_x']);
    expect(point.blobs?.[0]).toBe('pageview');
    expect(point.blobs?.[2]).toBe('Google');
    expect(point.blobs?.[11]).toBe('v1');
    expect(point.blobs?.[12]).toBe(e.date);
    expect(point.doubles).toEqual([1, 300, 5]);
  });
});
