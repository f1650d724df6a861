import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { rebuildIntervalMs, rebuildOrDefer } from '../src/services/rebuild-schedule.js';
import { storeEvents } from '../src/services/store-events.js';
import { at, dailyRow, db, deliver, someSite, tracked } from './pipeline-helpers.js';

describe('rebuilds of a busy day', () => {
  it('rebuilds a day at once, puts off the next rebuild within the interval, and the put-off one counts everything', async () => {
    const siteId = someSite();
    const day = [{ siteId, date: '2026-11-20' }];
    await storeEvents(db(), [tracked({ siteId, ts: at('2026-11-20T09:00'), visitorId: 'v1' })], []);
    await rebuildOrDefer(db(), env.ANALYTICS_EVENTS, day, 60_000);
    expect(await dailyRow(siteId, '2026-11-20')).toMatchObject({ pageviews: 1, visitors: 1 });

    await storeEvents(db(), [tracked({ siteId, ts: at('2026-11-20T09:01'), visitorId: 'v2' })], []);
    await rebuildOrDefer(db(), env.ANALYTICS_EVENTS, day, 60_000);
    // Put off: the rollups still show the first rebuild, and a delayed rebuild message is on the queue.
    expect(await dailyRow(siteId, '2026-11-20')).toMatchObject({ pageviews: 1, visitors: 1 });

    // That message, when it arrives, rebuilds the day whatever was rebuilt lately.
    const result = await deliver([{ kind: 'rebuild', siteId, date: '2026-11-20' }]);
    expect(result.ackAll).toBe(true);
    expect(await dailyRow(siteId, '2026-11-20')).toMatchObject({ pageviews: 2, visitors: 2 });
  });

  it('acknowledges a malformed rebuild request without rebuilding anything', async () => {
    const result = await deliver([{ kind: 'rebuild', siteId: 'site_x', date: 'yesterday' }]);
    expect(result.ackAll).toBe(true);
  });

  it('reads the interval from ANALYTICS_REBUILD_SECONDS, two seconds unless set', () => {
    expect(rebuildIntervalMs({})).toBe(2000);
    expect(rebuildIntervalMs({ ANALYTICS_REBUILD_SECONDS: '0' })).toBe(0);
    expect(rebuildIntervalMs({ ANALYTICS_REBUILD_SECONDS: '5' })).toBe(5000);
    expect(rebuildIntervalMs({ ANALYTICS_REBUILD_SECONDS: 'soon' })).toBe(2000);
  });
});
