import { describe, expect, it } from 'vitest';
import { userWeeks } from '../src/db/schema.js';
import { addDays, localTime, weekOf } from '../src/services/site-time.js';
import { db, member, siteGet, siteOf } from './stats-helpers.js';

describe('GET /sites/{id}/retention', () => {
  it('follows each weekly cohort of identified users through the weeks that have begun', async () => {
    const me = member();
    const site = await siteOf(me, 'Pacific/Auckland');
    const other = await siteOf(me);
    const thisWeek = weekOf(localTime(Date.now(), site.timezone).date);
    const week = (k: number) => addDays(thisWeek, 7 * k);
    const active = (siteId: string, userId: string, ...weeks: number[]) =>
      weeks.map((k) => ({ siteId, userId, week: week(k) }));
    await db()
      .insert(userWeeks)
      .values([
        ...active(site.id, 'u1', -2, -1, 0),
        ...active(site.id, 'u2', -2, 0),
        ...active(site.id, 'u3', -2),
        ...active(site.id, 'u4', -1),
        // First seen before the cohorts shown: never counted in a later one.
        ...active(site.id, 'u5', -5, -1),
        ...active(other.id, 'u6', -1, 0),
      ]);
    const res = await siteGet(site, '/retention?weeks=3', me);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: [
        { cohort: week(-2), users: 3, weeks: [100, 33.3, 66.7] },
        { cohort: week(-1), users: 1, weeks: [100, 0] },
        { cohort: week(0), users: 0, weeks: [0] },
      ],
    });
    const eight = (await (await siteGet(site, '/retention', me)).json()) as { data: Array<{ cohort: string }> };
    expect(eight.data.map((c) => c.cohort)).toEqual(Array.from({ length: 8 }, (_, i) => week(i - 7)));
  });
});
