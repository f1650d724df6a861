import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { events } from '../db/schema.js';
import { VISIT_IDLE_MS } from './dimensions.js';
import { depthOf, type FunnelQuery, type FunnelRow, funnelRows } from './funnel.js';
import { bucketsOf } from './periods.js';

/**
 * The funnel from raw events (`compute=raw`), the operator's check of the index and the bench's baseline: each day's
 * events of the site, one day at a time so that memory stays one day's, cut into visits as the rebuild cuts them
 * (ordered by time then id, a new visit after more than 30 idle minutes), each visit's path matched step by step with
 * the window, the deepest visit of each visitor counted, per day.
 */
export async function rawFunnelOf(db: Db, siteId: string, fq: FunnelQuery): Promise<FunnelRow[]> {
  const reached = fq.steps.map(() => 0);
  for (const date of bucketsOf(fq.range, 'day')) {
    const rows = await db
      .select({ visitorId: events.visitorId, ts: events.ts, name: events.name, pathname: events.pathname })
      .from(events)
      .where(and(eq(events.siteId, siteId), eq(events.date, date)))
      .orderBy(asc(events.visitorId), asc(events.ts), asc(events.id));
    const depths = new Map<string, number>();
    let visitor = '';
    let start = 0;
    let last = 0;
    let path: Array<[number, string]> = [];
    const close = () => {
      if (path.length > 0) depths.set(visitor, Math.max(depths.get(visitor) ?? 0, depthOf(path, fq.steps, fq.window)));
    };
    for (const e of rows) {
      if (e.visitorId !== visitor || e.ts - last > VISIT_IDLE_MS) {
        close();
        visitor = e.visitorId;
        start = e.ts;
        path = [];
      }
      last = e.ts;
      // As the rebuild writes `steps`: whole seconds since the visit's first event, the pathname or `event:<name>`.
      path.push([Math.floor((e.ts - start) / 1000), e.name === 'pageview' ? e.pathname : `event:${e.name}`]);
    }
    close();
    for (const depth of depths.values()) for (let k = 0; k < depth; k++) reached[k] = (reached[k] ?? 0) + 1;
  }
  return funnelRows(fq, reached);
}
