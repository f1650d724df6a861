import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  events,
  funnelDays,
  ingestDrops,
  rollupsDaily,
  rollupsHourly,
  sites,
  userWeeks,
  visitSteps,
  visits,
} from '../src/db/schema.js';
import { deleteInChunks, purge } from '../src/services/purge.js';
import { retentionDays } from '../src/services/run-job.js';
import { db, deliver, runJob, someSite, tracked } from './pipeline-helpers.js';

const DAY = 86_400_000;

/** A site row as the sites routes write it, live unless `deletedAt` is given. */
async function siteRow(deletedAt: string | null = null) {
  const id = someSite();
  await db()
    .insert(sites)
    .values({
      id,
      ownerId: 'usr_owner',
      domain: `${id}.example`,
      name: 'x',
      timezone: 'UTC',
      ingestKeyHash: id,
      deletedAt,
    });
  return id;
}

/** How many rows of each table a site still has. */
async function holdings(siteId: string) {
  const count = async (
    table:
      | typeof events
      | typeof rollupsDaily
      | typeof rollupsHourly
      | typeof visits
      | typeof visitSteps
      | typeof funnelDays
      | typeof userWeeks,
  ) => (await db().select().from(table).where(eq(table.siteId, siteId))).length;
  return {
    events: await count(events),
    daily: await count(rollupsDaily),
    hourly: await count(rollupsHourly),
    visits: await count(visits),
    steps: await count(visitSteps),
    answers: await count(funnelDays),
    weeks: await count(userWeeks),
    site: (await db().select().from(sites).where(eq(sites.id, siteId))).length,
  };
}

/** A kept funnel answer of the site's day `ts` falls in, as a funnel query writes it. */
async function answerRow(siteId: string, ts: number) {
  const date = new Date(ts).toISOString().slice(0, 10);
  await db().insert(funnelDays).values({ siteId, date, funnel: 'f', counts: '[1,0]', long: '[]' });
}

describe('analytics.purge', () => {
  it('deletes raw events, visits, their funnel index and answers past retention, and keeps rollups and recent rows', async () => {
    const siteId = await siteRow();
    const days = retentionDays(env);
    await deliver([
      tracked({ siteId, ts: Date.now() - (days + 2) * DAY }),
      tracked({ siteId, ts: Date.now() - (days + 2) * DAY + 1000, visitorId: 'other' }),
      tracked({ siteId, ts: Date.now() - DAY }),
    ]);
    await answerRow(siteId, Date.now() - (days + 2) * DAY);
    await answerRow(siteId, Date.now() - DAY);
    const before = await holdings(siteId);
    expect(before).toMatchObject({ events: 3, visits: 3, steps: 3, answers: 2 });

    const outcome = await runJob('analytics.purge');
    expect(outcome).toMatchObject({ ok: true, data: { more: false } });
    expect(await holdings(siteId)).toEqual({ ...before, events: 1, visits: 1, steps: 1, answers: 1 });
    expect(await runJob('analytics.purge')).toMatchObject({
      ok: true,
      data: { events: 0, visits: 0, visitSteps: 0, more: false },
    });
  });

  it('removes a deleted site with its events, rollups, visits, funnel rows and weeks, then its row', async () => {
    const gone = await siteRow(new Date().toISOString());
    const kept = await siteRow();
    for (const siteId of [gone, kept]) {
      await deliver([
        tracked({ siteId, ts: Date.now() - DAY, userId: 'usr_reader', name: 'Read' }),
        tracked({ siteId, ts: Date.now() - 2 * DAY }),
      ]);
      await answerRow(siteId, Date.now() - DAY);
    }
    const keptBefore = await holdings(kept);
    expect(keptBefore).toMatchObject({ steps: 2, answers: 1 });
    expect(await runJob('analytics.purge')).toMatchObject({ ok: true, data: { more: false } });
    expect(await holdings(gone)).toEqual({
      events: 0,
      daily: 0,
      hourly: 0,
      visits: 0,
      steps: 0,
      answers: 0,
      weeks: 0,
      site: 0,
    });
    expect(await holdings(kept)).toEqual(keptBefore);
  });

  it('deletes drop counts of days past retention', async () => {
    await db()
      .insert(ingestDrops)
      .values([
        { date: '2000-01-01', reason: 'bot', count: 3 },
        { date: '2999-01-01', reason: 'bot', count: 4 },
      ]);
    await runJob('analytics.purge');
    const left = await db().select().from(ingestDrops);
    expect(left.map((r) => r.date)).not.toContain('2000-01-01');
    expect(left.map((r) => r.date)).toContain('2999-01-01');
  });

  it('stops between chunks when its time is up and the next run carries on', async () => {
    const siteId = await siteRow();
    const old = Date.now() - 400 * DAY;
    await deliver(Array.from({ length: 7 }, (_, i) => tracked({ siteId, ts: old + i, visitorId: `v${i}` })));
    let chunks = 0;
    const twoChunks = () => chunks++ < 2;
    const first = await deleteInChunks(db(), events, eq(events.siteId, siteId), twoChunks, 3);
    expect(first).toEqual({ deleted: 6, more: true });
    expect((await holdings(siteId)).events).toBe(1);
    const report = await purge(db(), 30);
    expect(report.more).toBe(false);
    expect((await holdings(siteId)).events).toBe(0);
  });

  it('answers a payload it does not accept as not retryable', async () => {
    expect(await runJob('analytics.purge', { olderThan: 3 })).toMatchObject({ ok: false, retryable: false });
  });
});
