import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Site } from '../src/db/schema.js';
import { utcDay, type VisitorSalts } from '../src/durable-objects/visitor-salts.js';
import { trackedEventOf } from '../src/services/ingest-event.js';
import { saltDayOf, saltOf } from '../src/services/salts.js';
import { visitorIdOf } from '../src/services/visitor-id.js';

const DAY = 24 * 60 * 60 * 1000;
const salts = () => env.SALTS.getByName('salts');
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

const IP = '203.0.113.77';
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const site: Site = {
  id: 'sit_visitorid',
  ownerId: 'usr_x',
  domain: 'visitor-id.example.com',
  name: 'x',
  timezone: 'UTC',
  ingestKeyHash: 'h',
  createdAt: '2026-01-01T00:00:00.000Z',
  deletedAt: null,
};
const hit = (ts: number, sender = { ip: IP, userAgent: UA, country: 'DE' }) =>
  trackedEventOf(env, { site, fields: { name: 'pageview', url: 'https://visitor-id.example.com/' }, sender, ts });

describe('visitor ids', () => {
  it('counts the same visitor once on one day and anew on the next', async () => {
    const now = Date.now();
    const [a, b, c] = await Promise.all([hit(now), hit(now - 1000), hit(now - DAY)]);
    expect(a.visitorId).toMatch(/^[0-9a-f]{16}$/);
    expect(b.visitorId).toBe(a.visitorId);
    expect(c.visitorId).not.toBe(a.visitorId);
  });

  it('tells apart visitors by IP, User-Agent and site', async () => {
    const salt = await saltOf(env, utcDay(Date.now()));
    const base = await visitorIdOf(salt, 'sit_a', IP, UA);
    expect(await visitorIdOf(salt, 'sit_a', IP, UA)).toBe(base);
    expect(await visitorIdOf(salt, 'sit_b', IP, UA)).not.toBe(base);
    expect(await visitorIdOf(salt, 'sit_a', '203.0.113.78', UA)).not.toBe(base);
    expect(await visitorIdOf(salt, 'sit_a', IP, `${UA} x`)).not.toBe(base);
  });

  it('keeps neither the IP nor the User-Agent in the queued event', async () => {
    const event = await hit(Date.now());
    const text = JSON.stringify(event);
    expect(text).not.toContain(IP);
    expect(text).not.toContain('Gecko/20100101');
    expect(event).toMatchObject({ browser: 'Firefox', os: 'Linux', device: 'desktop', country: 'DE' });
  });

  it('hashes an event older than yesterday with yesterday’s salt, a future one with today’s', () => {
    const now = Date.parse('2026-03-10T08:00:00Z');
    expect(saltDayOf(now, now)).toBe('2026-03-10');
    expect(saltDayOf(Date.parse('2026-03-09T00:00:00Z'), now)).toBe('2026-03-09');
    expect(saltDayOf(Date.parse('2026-03-08T09:00:00Z'), now)).toBe('2026-03-09');
    expect(saltDayOf(now + 60_000, now)).toBe('2026-03-10');
  });
});

describe('the VisitorSalts object', () => {
  it('answers one 32-byte salt per UTC day, the same to every caller, and caches it per isolate', async () => {
    const today = utcDay(Date.now());
    const yesterday = utcDay(Date.now() - DAY);
    const [x, y, z] = await Promise.all([salts().saltFor(today), salts().saltFor(today), salts().saltFor(yesterday)]);
    if (!x || !y || !z) throw new Error('no salt for today or yesterday');
    expect(x.byteLength).toBe(32);
    expect(hex(y)).toBe(hex(x));
    expect(hex(z)).not.toBe(hex(x));
    expect(hex(await saltOf(env, today))).toBe(hex(x));
  });

  it('refuses any day but today and yesterday', async () => {
    expect(await salts().saltFor(utcDay(Date.now() - 2 * DAY))).toBeNull();
    expect(await salts().saltFor(utcDay(Date.now() + DAY))).toBeNull();
    expect(await salts().saltFor('not-a-day')).toBeNull();
    await expect(saltOf(env, utcDay(Date.now() - 2 * DAY))).rejects.toThrow(/only today/);
  });

  it('deletes salts past 48 hours at its midnight alarm, and waits for the next midnight', async () => {
    const today = utcDay(Date.now());
    const yesterday = utcDay(Date.now() - DAY);
    await salts().saltFor(today);
    await salts().saltFor(yesterday);
    const old = utcDay(Date.now() - 2 * DAY);
    await runInDurableObject(salts(), (_: VisitorSalts, state: DurableObjectState) => {
      state.storage.sql.exec('INSERT OR REPLACE INTO salts (date, salt) VALUES (?, ?)', old, new Uint8Array(32));
    });
    expect(await runDurableObjectAlarm(salts())).toBe(true);
    const [days, alarm] = await runInDurableObject(salts(), async (_: VisitorSalts, state: DurableObjectState) => [
      state.storage.sql
        .exec<{ date: string }>('SELECT date FROM salts ORDER BY date')
        .toArray()
        .map((r) => r.date),
      await state.storage.getAlarm(),
    ]);
    expect(days).toEqual([yesterday, today]);
    expect(alarm).toBe(Date.parse(`${today}T00:00:00Z`) + DAY);
  });
});
