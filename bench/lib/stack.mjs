// The platform on bare workerd for benchmarking: the seven built bundles plus the bench Workers in ONE Miniflare
// instance (one workerd process), with state in Miniflare's throw-away temp directory.
//
// Why not `wrangler dev`: its proxy Worker and log pipe cap a hello-world Worker at a few hundred req/s (measured
// with `pnpm dev` and wrk, 16 connections). Why direct sockets: Miniflare's default socket routes every request through its own entry Worker first;
// `unsafeDirectSockets` gives each benched Worker a workerd socket bound straight to it, as in production.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root, WORKERS } from '../../scripts/workers.mjs';
import { BENCH_STRIPE_WEBHOOK_SECRET } from './stripe-events.mjs';

const require = createRequire(import.meta.url);
// Miniflare through wrangler's own dependency: the runtime that `wrangler dev` and the tests use, never a second copy.
const wranglerRequire = createRequire(require.resolve('wrangler'));
const miniflarePath = wranglerRequire.resolve('miniflare');
const { Miniflare, convertV4MiniflareOptions } = wranglerRequire('miniflare');
const workerdBin = createRequire(miniflarePath)('workerd').default;

const BENCH_WORKERS_DIR = join(root, 'bench', 'workers');
const HOST = '127.0.0.1';

// Stand-ins for the secrets the domain Workers require.
const BENCH_SECRETS = {
  PASSWORD_PEPPER: 'bench-pepper',
  KEY_ENCRYPTION_KEY: 'bench-key-encryption-key-of-32-chars-or-more',
  UNSUBSCRIBE_SIGNING_KEY: 'bench-unsubscribe-signing-key',
  FILES_SIGNING_KEY: 'bench-files-signing-key',
  FILES_SEALING_KEY: 'bench-files-sealing-key-of-32-chars-or-more',
  STRIPE_WEBHOOK_SECRET: BENCH_STRIPE_WEBHOOK_SECRET,
};

/**
 * The bench Workers: `name` is both the short name scenarios use and the Miniflare Worker name. Those with
 * `migrations: 'identity'` get a database of their own with identity's schema and signing keys, so that a ceiling
 * shares nothing with the route it bounds; `bundle` ones import packages and are bundled first.
 */
const BENCH_WORKERS = [
  { name: 'hello-world', script: 'hello-world.mjs' },
  { name: 'direct-d1', script: 'direct-d1.mjs', d1Databases: { DB: 'bench-direct-d1' }, migrations: 'identity' },
  {
    name: 'direct-d1-drizzle',
    script: 'direct-d1-drizzle.mjs',
    bundle: true,
    d1Databases: { DB: 'bench-direct-d1-drizzle' },
    migrations: 'identity',
  },
  { name: 'hop-callee', script: 'hop-callee.mjs', d1Databases: { DB: 'bench-hop-callee' }, migrations: 'identity' },
  {
    name: 'hop-caller',
    script: 'hop-caller.mjs',
    serviceBindings: { CALLEE: { name: 'hop-callee', entrypoint: 'Callee' } },
  },
  // The files Worker's own bucket (the same Miniflare bucket id), so that both sides write to one local R2.
  { name: 'direct-r2', script: 'direct-r2.mjs', r2Buckets: { BUCKET: 'onasis-files' } },
];

/** `workerd --version`, e.g. `workerd 2026-11-17`. */
export function workerdVersion() {
  return execFileSync(workerdBin, ['--version'], { encoding: 'utf8' }).trim();
}

/** Versions of the packages that shape the figures. */
export function toolVersions() {
  const version = (req, name) => JSON.parse(readFileSync(req.resolve(`${name}/package.json`), 'utf8')).version;
  return {
    node: process.versions.node,
    workerd: workerdVersion(),
    wrangler: version(require, 'wrangler'),
    miniflare: JSON.parse(readFileSync(join(miniflarePath, '..', '..', '..', 'package.json'), 'utf8')).version,
    autocannon: version(require, 'autocannon'),
  };
}

async function platformWorkerOptions(directWorkers, bundleDirs) {
  // Imported lazily: loading wrangler is slow and only this step needs it.
  const { bundledWorkerOptions } = await import('../../scripts/miniflare-options.mjs');
  // The gateway first: Miniflare's default socket serves the first Worker (unused here, but it must be a real one).
  const ordered = [...WORKERS].sort((a, b) => (a.name === 'gateway' ? -1 : b.name === 'gateway' ? 1 : 0));
  return ordered.map((w) => {
    const outdir = bundleDirs.get(w.name);
    const options = bundledWorkerOptions(w.name, outdir, BENCH_SECRETS);
    if (w.name === 'gateway') {
      // A quota no run can reach: every /api/v1 request still pays for its count.
      options.bindings = {
        ...options.bindings,
        RATE_LIMIT_POLICIES: JSON.stringify(BENCH_POLICIES),
        QUOTA_PLANS: JSON.stringify({ free: 1e12 }),
      };
    }
    return {
      short: w.name,
      migrations: w.name === 'gateway' ? undefined : w.name,
      options: {
        ...options,
        ...(directWorkers.has(w.name) ? { unsafeDirectSockets: [{ host: HOST, port: 0 }] } : {}),
      },
    };
  });
}

/** A bench Worker with its imports bundled in, as one in-memory module (esbuild through wrangler's dependency). */
async function bundled(script) {
  const esbuild = wranglerRequire('esbuild');
  const path = join(BENCH_WORKERS_DIR, script);
  const out = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    external: ['cloudflare:*'],
    // drizzle-orm is a dependency of the Workers, not of the repository's root: resolve it as identity does.
    nodePaths: [join(root, 'workers', 'identity', 'node_modules')],
  });
  return { modules: [{ type: 'ESModule', path, contents: out.outputFiles[0].text }] };
}

async function benchWorkerOptions(directWorkers, compat) {
  return Promise.all(
    BENCH_WORKERS.map(async (b) => ({
      short: b.name,
      migrations: b.migrations,
      options: {
        name: b.name,
        // Same date and flags as the platform's Workers, so the ceilings run on the same runtime behaviour.
        ...compat,
        ...(b.bundle ? await bundled(b.script) : { modules: true, scriptPath: join(BENCH_WORKERS_DIR, b.script) }),
        modulesRoot: BENCH_WORKERS_DIR,
        ...(b.d1Databases ? { d1Databases: b.d1Databases } : {}),
        ...(b.serviceBindings ? { serviceBindings: b.serviceBindings } : {}),
        ...(b.r2Buckets ? { r2Buckets: b.r2Buckets } : {}),
        ...(directWorkers.has(b.name) ? { unsafeDirectSockets: [{ host: HOST, port: 0 }] } : {}),
      },
    })),
  );
}

/** Every `.sql` file of migrations/<name>/, in order, split into statements the way wrangler applies them. */
async function readMigrations(name) {
  const { unstable_splitSqlQuery } = await import('wrangler');
  const dir = join(root, 'migrations', name);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, statements: unstable_splitSqlQuery(readFileSync(join(dir, file), 'utf8')) }));
}

async function applyMigrations(db, name) {
  for (const { file, statements } of await readMigrations(name)) {
    try {
      // One batch per file: D1 runs a batch atomically, like `wrangler d1 migrations apply` does per migration.
      await db.batch(statements.map((s) => db.prepare(s)));
    } catch (err) {
      throw new Error(`migration migrations/${name}/${file} failed: ${err.message}`);
    }
  }
}

/**
 * The gateway's rate-limit policies in the bench: the defaults' shapes with limits no run can reach, so every
 * covered request pays for its limiter call and none is refused. `bench` covers the JWKS route for signed-in callers
 * only (a `user` key lets anonymous requests pass untouched), so one route is measured with and without auth and
 * limiting.
 */
const BENCH_POLICIES = [
  {
    id: 'login',
    match: 'POST /auth/login',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 1e9,
    windowSeconds: 60,
    failMode: 'closed',
  },
  {
    id: 'bench',
    match: 'GET /.well-known/jwks.json',
    key: 'user',
    algorithm: 'token_bucket',
    limit: 1e9,
    windowSeconds: 1,
    refillRate: 1e9,
    failMode: 'closed',
  },
  {
    id: 'api',
    match: '* /api/v1/*',
    key: 'user_or_ip',
    algorithm: 'token_bucket',
    limit: 1e9,
    windowSeconds: 1,
    refillRate: 1e9,
    failMode: 'open',
  },
];

/** The account that the sign-in scenarios use, seeded into identity's database with role member. */
export const BENCH_USER = { id: 'usr_bench', email: 'bench@onasis.local', password: 'bench-password-not-secret' };
/** An admin, who sends the notifications of the fan-out measurement. */
export const BENCH_ADMIN = {
  id: 'usr_bench_admin',
  email: 'bench-admin@onasis.local',
  password: 'bench-admin-password-not-secret',
};

/**
 * Two signing keys, inserted into identity's database and each bench Worker's, so that every JWKS read returns the
 * same two rows. Identity's rows also hold the private halves, sealed as identity seals them, so that it signs
 * with the newer key instead of creating a third.
 */
async function signingKeyRows() {
  // Imported lazily (they pull in jose); both modules import nothing relative, so Node loads them as they are.
  const { seal, sealingKey } = await import('../../workers/identity/src/services/crypto.ts');
  const rows = [];
  for (const n of [1, 2]) {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const kid = `bench-key-${n}`;
    const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    rows.push({
      kid,
      jwk: JSON.stringify({ kty, crv, x, y, alg: 'ES256' }),
      // The purpose string of src/services/signing-keys.ts.
      sealed: await seal(
        JSON.stringify(privateJwk),
        kid,
        await sealingKey(BENCH_SECRETS.KEY_ENCRYPTION_KEY, 'onasis/signing-keys'),
      ),
      createdAt: `2026-01-0${n}T00:00:00.000Z`,
    });
  }
  return rows;
}

async function seedSigningKeys(db, rows, { withPrivate }) {
  await db.batch(
    rows.map((r) =>
      db
        .prepare('INSERT INTO signing_keys (kid, public_jwk, private_jwk_encrypted, created_at) VALUES (?, ?, ?, ?)')
        .bind(r.kid, r.jwk, withPrivate ? r.sealed : null, r.createdAt),
    ),
  );
}

async function seedBenchUser(db) {
  const { hashPassword } = await import('../../workers/identity/src/services/password.ts');
  const insert = async (user, role) => [
    db
      .prepare(
        "INSERT INTO users (id, email, email_verified_at, name, password_hash) VALUES (?, ?, '2026-01-01T00:00:00.000Z', 'Bench', ?)",
      )
      .bind(user.id, user.email, await hashPassword(user.password, BENCH_SECRETS.PASSWORD_PEPPER)),
    db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').bind(user.id, role),
  ];
  await db.batch([...(await insert(BENCH_USER, 'member')), ...(await insert(BENCH_ADMIN, 'admin'))]);
}

/**
 * Starts the stack and prepares its databases. `bundleDirs`: short name → folder holding that Worker's built
 * `index.js`; `directWorkers`: short names of the Workers that get a socket of their own; `onLog` receives workerd's
 * log lines. Resolves to `{ miniflare, urlOf(short), dispose() }`.
 */
export async function startStack({ bundleDirs, directWorkers, onLog }) {
  const direct = new Set(directWorkers);
  const platform = await platformWorkerOptions(direct, bundleDirs);
  const gateway = platform[0].options;
  const bench = await benchWorkerOptions(direct, {
    compatibilityDate: gateway.compatibilityDate,
    compatibilityFlags: gateway.compatibilityFlags,
  });
  const all = [...platform, ...bench];
  const unknown = [...direct].filter((name) => !all.some((w) => w.short === name));
  if (unknown.length) throw new Error(`unknown Worker(s) in the scenarios: ${unknown.join(', ')}`);

  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      host: HOST,
      port: 0,
      // No request log lines and no telemetry: both would cost CPU in this process while it is being measured.
      logRequests: false,
      telemetry: { enabled: false },
      handleStructuredLogs: onLog ?? (() => {}),
      workers: all.map((w) => w.options),
    }),
  );
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await miniflare.dispose();
  };
  try {
    await miniflare.ready;
    const keys = await signingKeyRows();
    for (const w of all.filter((x) => x.migrations)) {
      const db = await miniflare.getD1Database('DB', w.options.name);
      await applyMigrations(db, w.migrations);
      if (w.migrations === 'identity') await seedSigningKeys(db, keys, { withPrivate: w.short === 'identity' });
      if (w.short === 'identity') await seedBenchUser(db);
    }
    const urls = new Map();
    for (const name of direct) {
      const url = await miniflare.unsafeGetDirectURL(all.find((w) => w.short === name).options.name);
      // Load must only ever target loopback.
      if (url.hostname !== HOST) throw new Error(`direct socket of ${name} is on ${url.hostname}, not ${HOST}`);
      urls.set(name, url);
    }
    return { miniflare, urlOf: (name) => urls.get(name), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
