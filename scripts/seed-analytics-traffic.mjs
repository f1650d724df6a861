// The demo traffic of `pnpm seed:analytics` (scripts/seed-analytics.mjs) and the bench: sites, pages, sources, people
// and when they come, as the events ingest would have enriched. Deterministic: one seed always yields the same events,
// so a re-run writes the same demo data and two runs of the bench measure the same rows.

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

/** The `events` columns in the order `eventValues` gives them. */
export const EVENT_COLUMNS = [
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

/** One generated event as the values of an `events` row, in EVENT_COLUMNS order. */
export function eventValues(e) {
  return [
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
  ];
}
