// `pnpm seed:analytics`: realistic demo traffic for the dashboard and the bench, written straight into the local D1
// SQLite file of `onasis-analytics` (node:sqlite, one transaction, prepared statements), then every (site, day)
// rebuilt with the very statements the queue consumer runs (workers/analytics/src/db/rollup-sql.ts).
//
//   pnpm seed:analytics [--events 1000000] [--days 90] [--persist-to .wrangler/state] [--owner usr_…] [--seed 42]
//
// Idempotent: the demo sites have fixed ids and domains; a re-run deletes their events, visits, rollups and
// user_weeks and writes them anew, and never touches another site's rows. Interrupted, the transaction rolls back and
// the file is as before. The e2e suite calls `seedAnalytics()`; the bench writes `makeTraffic()` through D1.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REBUILD_DAY_SQL } from '../workers/analytics/src/db/rollup-sql.ts';
import { DEMO_SITES, EVENT_COLUMNS, eventValues, makeTraffic } from './seed-analytics-traffic.mjs';

export { DEMO_SITES, makeTraffic };

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

/** Deletes every row the demo sites own (a re-run replaces them). */
function clearDemoSites(db) {
  const ids = DEMO_SITES.map((s) => s.id);
  const marks = ids.map(() => '?').join(', ');
  for (const table of [
    'events',
    'rollups_daily',
    'rollups_hourly',
    'visits',
    'visit_steps',
    'funnel_days',
    'user_weeks',
  ]) {
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
      insert.run(...eventValues(e));
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
