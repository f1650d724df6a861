// `pnpm seed:analytics`: realistic demo traffic for the dashboard and the bench, written straight into the local D1
// SQLite file of `onasis-analytics` (node:sqlite, one transaction, prepared statements), then every (site, day)
// rebuilt with the very statements the queue consumer runs (workers/analytics/src/db/rollup-sql.ts).
//
//   pnpm seed:analytics [--events 1000000] [--days 90] [--persist-to .wrangler/state] [--owner usr_…] [--seed 42]
//
// Idempotent: the demo sites have fixed ids and domains; a re-run deletes their events, visits, rollups and
// user_weeks and writes them anew, and never touches another site's rows. Interrupted, the transaction rolls back and
// the file is as before. The bench calls `seedAnalytics()` on a database of its own.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REBUILD_DAY_SQL } from '../workers/analytics/src/db/rollup-sql.ts';

const root = resolve(import.meta.dirname, '..');

/** The local D1 SQLite files under a wrangler/miniflare state dir whose schema holds `table`. */
export function d1FilesWith(persistTo, table) {
  const dir = join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sqlite'))
    .map((name) => join(dir, name))
    .filter((file) => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
      } finally {
        db.close();
      }
    });
}

/** The local admin's user id in the identity database of `persistTo`, if it has been seeded. */
export function localAdminId(persistTo) {
  for (const file of d1FilesWith(persistTo, 'user_roles')) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const row = db.prepare("SELECT id FROM users WHERE email = 'admin@onasis.local'").get();
      if (row) return String(row.id);
    } finally {
      db.close();
    }
  }
  return undefined;
}

// ---- The traffic model: sites, pages, sources, people, and when they come --------------------------------------

/** The demo sites: fixed ids and domains, so a re-run replaces exactly their rows. The first takes ~70 % of traffic. */
export const DEMO_SITES = [
  {
    id: 'sit_demo_main',
    domain: 'demo.onasis.local',
    name: 'Onasis demo',
    timezone: 'Europe/Berlin',
    weight: 70,
    pages: [
      '/',
      '/pricing',
      '/features',
      '/blog',
      '/docs',
      '/signup',
      '/about',
      '/blog/rollups-explained',
      '/blog/launch',
      '/changelog',
      '/contact',
      '/login',
      '/careers',
      '/blog/cookieless-analytics',
      '/security',
    ],
  },
  {
    id: 'sit_demo_docs',
    domain: 'docs.demo.onasis.local',
    name: 'Demo docs',
    timezone: 'UTC',
    weight: 15,
    pages: [
      '/',
      '/getting-started',
      '/api/identity',
      '/api/payments',
      '/api/analytics',
      '/guides/webhooks',
      '/guides/sessions',
      '/api/files',
      '/reference/errors',
      '/faq',
    ],
  },
  {
    id: 'sit_demo_shop',
    domain: 'shop.demo.onasis.local',
    name: 'Demo shop',
    timezone: 'America/New_York',
    weight: 10,
    pages: [
      '/',
      '/products/mug',
      '/products/t-shirt',
      '/products/stickers',
      '/cart',
      '/checkout',
      '/products/hoodie',
      '/about',
    ],
  },
  {
    id: 'sit_demo_blog',
    domain: 'blog.demo.onasis.local',
    name: 'Demo blog',
    timezone: 'Asia/Kolkata',
    weight: 5,
    pages: ['/', '/posts/edge-databases', '/posts/queues-at-least-once', '/posts/why-rollups', '/about', '/archive'],
  },
];

// [weight, source, referrer, utm_source, utm_medium, utm_campaign]: as ingest would have derived them.
const SOURCES = [
  [34, '', '', '', '', ''],
  [28, 'Google', 'www.google.com/', '', '', ''],
  [3, 'Bing', 'www.bing.com/', '', '', ''],
  [3, 'DuckDuckGo', 'duckduckgo.com/', '', '', ''],
  [5, 'Twitter', 't.co/x4Ab9', '', '', ''],
  [3, 'Facebook', 'm.facebook.com/', '', '', ''],
  [2, 'LinkedIn', 'www.linkedin.com/feed/', '', '', ''],
  [3, 'Reddit', 'www.reddit.com/r/webdev/', '', '', ''],
  [4, 'GitHub', 'github.com/onasis/core', '', '', ''],
  [4, 'Hacker News', 'news.ycombinator.com/item', '', '', ''],
  [5, 'newsletter', '', 'newsletter', 'email', 'december-launch'],
  [3, 'google', 'www.google.com/', 'google', 'cpc', 'brand'],
  [2, 'producthunt.com', 'www.producthunt.com/posts/onasis', '', '', ''],
  [1, 'dev.to', 'dev.to/onasis/why-rollups', '', '', ''],
];
const COUNTRIES = [
  [28, 'US'],
  [12, 'DE'],
  [8, 'GB'],
  [8, 'IN'],
  [6, 'FR'],
  [4, 'CA'],
  [4, 'BR'],
  [3, 'NL'],
  [3, 'JP'],
  [3, 'ES'],
  [3, 'IT'],
  [3, 'AU'],
  [2, 'PL'],
  [2, 'SE'],
  [2, 'CH'],
  [1, 'AT'],
  [1, 'MX'],
  [1, 'KR'],
  [1, ''],
];
// [weight, device, browser, os]
const CLIENTS = [
  [22, 'desktop', 'Chrome', 'Windows'],
  [8, 'desktop', 'Edge', 'Windows'],
  [5, 'desktop', 'Firefox', 'Windows'],
  [9, 'desktop', 'Safari', 'Mac OS'],
  [7, 'desktop', 'Chrome', 'Mac OS'],
  [3, 'desktop', 'Firefox', 'Linux'],
  [3, 'desktop', 'Chrome', 'Linux'],
  [1, 'desktop', 'Chrome', 'Chrome OS'],
  [17, 'mobile', 'Mobile Safari', 'iOS'],
  [16, 'mobile', 'Chrome', 'Android'],
  [4, 'mobile', 'Samsung Browser', 'Android'],
  [3, 'tablet', 'Mobile Safari', 'iOS'],
  [2, 'tablet', 'Chrome', 'Android'],
];
/** Relative traffic of each site-local hour. */
const DIURNAL = [
  3, 2, 1.5, 1.2, 1.2, 1.8, 3.5, 6, 8.5, 10, 10.5, 10.5, 10, 10, 10.5, 10.5, 10, 9.5, 9, 8.5, 8, 7, 5.5, 4,
];
const PRICES = [2900, 4900, 9900];
const USERS = 1500;

/** mulberry32: a small seeded generator, so one seed always writes the same demo data. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A picker over `[weight, ...]` rows (or weights with values), by cumulative weights. */
function weighted(rows, weightOf = (r) => r[0]) {
  const cumulative = [];
  let total = 0;
  for (const row of rows) {
    total += weightOf(row);
    cumulative.push(total);
  }
  return (rand) => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return rows[lo];
  };
}

/** Site-local `{ date, hour }` of `ts`, cached per quarter hour (every zone's offset is a multiple of 15 minutes). */
function localClock(timezone) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  });
  const cache = new Map();
  return (ts) => {
    const key = Math.floor(ts / 900_000);
    let hit = cache.get(key);
    if (!hit) {
      const parts = Object.fromEntries(format.formatToParts(ts).map((p) => [p.type, p.value]));
      const date = `${parts.year}-${parts.month}-${parts.day}`;
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      const monday = new Date(Date.parse(`${date}T00:00:00Z`) - ((weekday + 6) % 7) * 86_400_000);
      hit = { date, hour: Number(parts.hour), week: monday.toISOString().slice(0, 10) };
      cache.set(key, hit);
    }
    return hit;
  };
}

/** 16 hex digits, the form of ingest's visitor ids. */
function hex16(rand) {
  const part = () =>
    Math.floor(rand() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return part() + part();
}

/**
 * About `events` demo events over the `days` days before `now`, one visit at a time: each visitor comes 1–3 times a
 * day (gaps of minutes to hours, so some visits merge and most split at 30 idle minutes), views 1–N pages, and some
 * take the funnel /pricing → /signup → Signup → Purchase; a pool of identified users keeps returning for weeks.
 */
export function* makeTraffic({ events, days, now, seed }) {
  const rand = random(seed);
  const pickSite = weighted(DEMO_SITES, (s) => s.weight);
  const pickSource = weighted(SOURCES);
  const pickCountry = weighted(COUNTRIES);
  const pickClient = weighted(CLIENTS);
  const pickHour = weighted(DIURNAL.map((w, hour) => [w, hour]));
  const dayStart = Math.floor(now / 86_400_000) * 86_400_000 - (days - 1) * 86_400_000;
  // Weekends quieter, a steady growth, and a Hacker News spike three weeks ago. Days are written one after the
  // other, so the inserts reach the (site, date) indexes in order.
  const dayWeights = Array.from({ length: days }, (_, d) => {
    const weekday = new Date(dayStart + d * 86_400_000).getUTCDay();
    return (weekday === 0 || weekday === 6 ? 0.65 : 1) * (0.7 + (0.3 * d) / days) * (d === days - 21 ? 2 : 1);
  });
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  const zipf = new Map(DEMO_SITES.map((s) => [s.id, weighted(s.pages.map((p, i) => [1 / (i + 1), p]))]));
  const clocks = new Map(DEMO_SITES.map((s) => [s.id, localClock(s.timezone)]));
  const offsets = new Map(DEMO_SITES.map((s) => [s.id, new Map()]));
  const userStart = Array.from({ length: USERS }, () => Math.floor(rand() * days));
  let n = 0;
  let quota = 0;
  for (let day = 0; day < days; day++) {
    quota = day === days - 1 ? events : Math.min(events, quota + Math.round((events * dayWeights[day]) / totalWeight));
    // Today is cut at `now`: give up on the hours still to come rather than loop for ever.
    let misses = 0;
    while (n < quota && misses < 1000) {
      const site = pickSite(rand);
      const clock = clocks.get(site.id);
      // Place the visit at a site-local hour: shift the UTC hour by the zone's offset on that day.
      const cached = offsets.get(site.id);
      if (!cached.has(day)) cached.set(day, (clock(dayStart + day * 86_400_000 + 43_200_000).hour - 12 + 24) % 24);
      const offsetHours = cached.get(day);
      let ts = dayStart + day * 86_400_000 + (((pickHour(rand)[1] - offsetHours + 24) % 24) + rand()) * 3_600_000;
      if (ts > now) {
        misses++;
        continue;
      }
      const visitorId = hex16(rand);
      const [, source, referrer, utmSource, utmMedium, utmCampaign] = pickSource(rand);
      const country = pickCountry(rand)[1];
      const [, device, browser, os] = pickClient(rand);
      const pages = zipf.get(site.id);
      const user = site.id === 'sit_demo_main' && rand() < 0.05 ? Math.floor(rand() * USERS) : -1;
      const userId =
        user >= 0 && day >= userStart[user] && rand() < 0.85 ** ((day - userStart[user]) / 7)
          ? `usr_demo_${String(user).padStart(4, '0')}`
          : null;
      const visitCount = rand() < 0.85 ? 1 : rand() < 0.73 ? 2 : 3;
      for (let visit = 0; visit < visitCount && n < quota; visit++) {
        if (visit > 0) ts += (rand() < 0.2 ? 5 + rand() * 24 : 31 + rand() * 330) * 60_000;
        const path = [];
        const pageviews = rand() < 0.42 ? 1 : Math.min(15, 2 + Math.floor(Math.log(rand()) / Math.log(0.65)));
        for (let i = 0; i < pageviews; i++) path.push([pages(rand)[1]]);
        if (site.id === 'sit_demo_main' && rand() < 0.1) {
          path.push(['/pricing'], ['/signup']);
          if (rand() < 0.5) {
            path.push(['/signup', 'Signup']);
            if (rand() < 0.4) path.push(['/signup', 'Purchase', PRICES[Math.floor(rand() * PRICES.length)]]);
          }
        } else if (site.id === 'sit_demo_shop' && rand() < 0.12) {
          path.push(['/cart', 'Add to cart'], ['/checkout']);
          if (rand() < 0.5) path.push(['/checkout', 'Purchase', 1200 + Math.floor(rand() * 80) * 100]);
        } else if (site.id === 'sit_demo_docs' && rand() < 0.05) {
          path.push(['/getting-started', 'Download', undefined, { file: 'onasis-cli.tar.gz' }]);
        } else if (rand() < 0.04) {
          path.push([
            path[path.length - 1][0],
            'Outbound Link: Click',
            undefined,
            { url: 'https://github.com/onasis' },
          ]);
        }
        for (const [i, [pathname, name, revenue, props]] of path.entries()) {
          if (n >= quota || ts > now) break;
          const local = clock(ts);
          // Only the entry of a visit carries where it came from, as a browser's referrer would.
          const first = visit === 0 && i === 0;
          yield {
            id: `${site.id}:seed-${(n++).toString(36)}`,
            siteId: site.id,
            ts: Math.floor(ts),
            date: local.date,
            hour: local.hour,
            week: local.week,
            visitorId,
            userId,
            name: name ?? 'pageview',
            hostname: site.domain,
            pathname,
            referrer: first ? referrer : '',
            source: first ? source : '',
            utmSource: first ? utmSource : '',
            utmMedium: first ? utmMedium : '',
            utmCampaign: first ? utmCampaign : '',
            country,
            device,
            browser,
            os,
            props: props ? JSON.stringify(props) : null,
            revenue: revenue ?? null,
            currency: revenue ? 'usd' : null,
          };
          ts += (5 + -Math.log(1 - rand()) * 45) * 1000;
        }
      }
    }
  }
}

// ---- Writing it ----------------------------------------------------------------------------------------------------

const EVENT_COLUMNS = [
  'id',
  'site_id',
  'ts',
  'date',
  'hour',
  'visitor_id',
  'user_id',
  'name',
  'hostname',
  'pathname',
  'referrer',
  'source',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'device',
  'browser',
  'os',
  'props',
  'revenue',
  'currency',
];

/** Deletes every row the demo sites own (a re-run replaces them). */
function clearDemoSites(db) {
  const ids = DEMO_SITES.map((s) => s.id);
  const marks = ids.map(() => '?').join(', ');
  for (const table of ['events', 'rollups_daily', 'rollups_hourly', 'visits', 'user_weeks']) {
    db.prepare(`DELETE FROM ${table} WHERE site_id IN (${marks})`).run(...ids);
  }
}

function upsertSites(db, ownerId) {
  const upsert = db.prepare(
    `INSERT INTO sites (id, owner_id, domain, name, timezone, ingest_key_hash) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, domain = excluded.domain, name = excluded.name,
       timezone = excluded.timezone, deleted_at = NULL`,
  );
  for (const site of DEMO_SITES) {
    // Nobody holds a key to the demo sites: the hash of random bytes no one kept.
    const keyHash = randomBytes(32).toString('hex');
    upsert.run(site.id, ownerId, site.domain, site.name, site.timezone, keyHash);
  }
}

/**
 * Seeds the demo sites of the analytics database at `sqlitePath`: about `events` events over the `days` days ending
 * at `now` (site-local days, today included), owned by `ownerId`. Answers what it wrote and how long it took.
 */
export function seedAnalytics({ sqlitePath, events = 1_000_000, days = 90, now = Date.now(), ownerId, seed = 42 }) {
  if (!ownerId) throw new Error('seedAnalytics needs the ownerId of the demo sites');
  const started = performance.now();
  const db = new DatabaseSync(sqlitePath);
  // wrangler dev may hold the file too: wait for its write lock rather than fail at once.
  db.exec('PRAGMA busy_timeout = 30000');
  // One big transaction: a cache that holds it whole keeps SQLite from spilling pages to the file before the commit.
  db.exec('PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY');
  const insert = db.prepare(
    `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertWeek = db.prepare('INSERT OR IGNORE INTO user_weeks (site_id, user_id, week) VALUES (?, ?, ?)');
  const rebuild = REBUILD_DAY_SQL.map((text) => db.prepare(text));
  const touched = new Set();
  let written = 0;
  let rebuiltMs = 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    upsertSites(db, ownerId);
    clearDemoSites(db);
    for (const e of makeTraffic({ events, days, now, seed })) {
      insert.run(
        e.id,
        e.siteId,
        e.ts,
        e.date,
        e.hour,
        e.visitorId,
        e.userId,
        e.name,
        e.hostname,
        e.pathname,
        e.referrer,
        e.source,
        e.utmSource,
        e.utmMedium,
        e.utmCampaign,
        e.country,
        e.device,
        e.browser,
        e.os,
        e.props,
        e.revenue,
        e.currency,
      );
      if (e.userId) insertWeek.run(e.siteId, e.userId, e.week);
      touched.add(`${e.siteId}|${e.date}`);
      written++;
    }
    const rebuildStarted = performance.now();
    for (const key of touched) {
      const [siteId, date] = key.split('|');
      for (const statement of rebuild) statement.run(siteId, date);
    }
    rebuiltMs = performance.now() - rebuildStarted;
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  } finally {
    db.close();
  }
  return {
    sites: DEMO_SITES.map((s) => ({ id: s.id, domain: s.domain })),
    events: written,
    siteDays: touched.size,
    ms: Math.round(performance.now() - started),
    rebuildMs: Math.round(rebuiltMs),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      days: { type: 'string', default: '90' },
      'persist-to': { type: 'string', default: join(root, '.wrangler', 'state') },
      owner: { type: 'string' },
      seed: { type: 'string', default: '42' },
    },
  });
  const persistTo = resolve(values['persist-to']);
  const [sqlitePath, ...others] = d1FilesWith(persistTo, 'rollups_daily');
  if (!sqlitePath || others.length > 0) {
    throw new Error(
      `expected one local onasis-analytics database under ${persistTo} (found ${others.length + (sqlitePath ? 1 : 0)}): ` +
        'run `pnpm dev` once (it applies the migrations), or pass --persist-to',
    );
  }
  const ownerId = values.owner ?? localAdminId(persistTo);
  if (!ownerId) throw new Error('no local admin in the identity database: pass --owner <userId>');
  const result = seedAnalytics({
    sqlitePath,
    events: Number(values.events),
    days: Number(values.days),
    ownerId,
    seed: Number(values.seed),
  });
  console.log(
    `Seeded ${result.events.toLocaleString('en')} events over ${values.days} days into ${result.sites.length} sites ` +
      `(${result.siteDays} site-days rebuilt in ${result.rebuildMs} ms), owner ${ownerId}, in ${result.ms} ms:`,
  );
  for (const site of result.sites) console.log(`  ${site.id}  ${site.domain}`);
  console.log(`Database: ${sqlitePath}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
