// Local platform lifecycle shared by `pnpm dev`, the end-to-end suite and anything else that needs the whole stack:
// apply every database's migrations, seed the local admin, run all seven Workers in one `wrangler dev` process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { allConfigArgs, DOMAIN_WORKERS, root, WORKERS, wranglerBin } from './workers.mjs';

const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };

/** Key/value pairs of a dotenv-style file (`.dev.vars`); missing file → {}. */
export function readVars(path) {
  if (!existsSync(path)) return {};
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

/** Settings for the local platform: `.dev.vars` over the documented defaults of `.dev.vars.example`. */
export function localVars() {
  return { ...readVars(join(root, '.dev.vars.example')), ...readVars(join(root, '.dev.vars')) };
}

function run(args, { quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(wranglerBin, args, { cwd: root, env: WRANGLER_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!quiet) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.slice(0, 4).join(' ')} failed (${code}):\n${out}`)),
    );
  });
}

const BUSY = /SQLITE_BUSY|database is locked/;

/**
 * `wrangler d1 <command> onasis-<service> …` against the local state in `persistTo`; resolves to its output. A running
 * `wrangler dev` writes the same SQLite files, so a command that meets its write lock (SQLITE_BUSY) is retried with
 * back-off instead of failing; every command sent here is idempotent, so a retry never applies anything twice.
 */
async function d1(command, service, persistTo, ...rest) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await d1Once(command, service, persistTo, ...rest);
    } catch (error) {
      if (attempt >= 6 || !BUSY.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

function d1Once(command, service, persistTo, ...rest) {
  return run([
    'd1',
    ...command,
    `onasis-${service}`,
    '--local',
    '-c',
    `workers/${service}/wrangler.toml`,
    '--persist-to',
    persistTo,
    ...rest,
  ]);
}

/** Applies every domain database's pending migrations to the local state in `persistTo`. */
export async function applyMigrations(persistTo) {
  // One at a time: wrangler's local D1 shares state files across databases, and concurrent runs failed on a
  // clean machine with SQLITE_BUSY.
  for (const name of DOMAIN_WORKERS) await d1(['migrations', 'apply'], name, persistTo);
}

function sqlString(value) {
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * Creates the local admin (`admin@onasis.local`, role admin, plan `unlimited`) unless it exists. Re-running keeps an
 * existing account as it is, so a password changed through the API survives a restart; only an admin still on the
 * `free` plan an older seed gave it moves to `unlimited`, since a developer would otherwise use up the free plan's
 * monthly quota locally.
 */
export async function seedAdmin(persistTo, { email = 'admin@onasis.local', password, pepper }) {
  const { hashPassword } = await import('../workers/identity/src/services/password.ts');
  const hash = await hashPassword(password, pepper);
  const sql = [
    `INSERT INTO users (id, email, email_verified_at, name, password_hash, status, plan)
     VALUES ('usr_local_admin', ${sqlString(email)}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'Local admin', ${sqlString(hash)}, 'active', 'unlimited')
     ON CONFLICT(email) DO NOTHING;`,
    `UPDATE users SET plan = 'unlimited' WHERE email = ${sqlString(email)} AND plan = 'free';`,
    `INSERT OR IGNORE INTO user_roles (user_id, role) SELECT id, 'admin' FROM users WHERE email = ${sqlString(email)};`,
  ].join('\n');
  await d1(['execute'], 'identity', persistTo, '--command', sql);
}

/** Rows of a read-only query against a domain database in the local state in `persistTo`. */
export async function queryLocal(persistTo, service, sql) {
  const out = await d1(['execute'], service, persistTo, '--json', '--command', sql);
  const parsed = JSON.parse(out.slice(out.indexOf('[')));
  return parsed[0]?.results ?? [];
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A copy of a Worker's wrangler.toml, beside it (so relative paths hold), with some of its top-level `[vars]`
 * replaced or added: how a secondary Worker gets settings of a run's own, since `--var` reaches only the first config.
 * Deleted when the platform stops.
 */
function configWithVars(name, values) {
  const worker = WORKERS.find((w) => w.name === name);
  if (!worker) throw new Error(`no Worker named ${name}`);
  let text = readFileSync(join(root, worker.config), 'utf8');
  for (const [key, value] of Object.entries(values)) {
    // Environments declare vars as inline tables, so the only `KEY = …` line that starts a line is in `[vars]`.
    const line = new RegExp(`^${key} = .*$`, 'm');
    const entry = `${key} = ${JSON.stringify(String(value))}`;
    if (line.test(text)) text = text.replace(line, () => entry);
    else if (/^\[vars\]$/m.test(text)) text = text.replace(/^\[vars\]$/m, () => `[vars]\n${entry}`);
    else throw new Error(`${worker.config} has no [vars] table`);
  }
  const path = join(root, dirname(worker.config), `.wrangler.run-${process.pid}.toml`);
  writeFileSync(path, text);
  return path;
}

/**
 * Starts all seven Workers in one `wrangler dev` process in its own process group, and resolves once `/health`
 * answers 200. `stop()` ends the whole group (wrangler and its workerd children) and waits for it; aborting `signal`
 * ends it at once, also while it is still starting.
 *
 * `vars` reach the gateway only (wrangler gives `--var` to the first config); `workerVars` (`{ identity: { … } }`)
 * replace vars of other Workers. `secrets` go into wrangler's
 * environment, from which a Worker that lists them under `secrets.required` in its wrangler.toml takes exactly
 * those (a secondary Worker never sees the root `.dev.vars`); Workers without that list take nothing from it.
 */
export async function startPlatform({
  port,
  inspectorPort,
  persistTo,
  vars = {},
  workerVars = {},
  secrets = {},
  signal,
  onOutput,
  readyTimeoutMs = 120_000,
}) {
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const overrides = Object.fromEntries(
    Object.entries(workerVars).map(([name, values]) => [name, configWithVars(name, values)]),
  );
  const removeOverrides = () => {
    for (const path of Object.values(overrides)) rmSync(path, { force: true });
  };
  const args = [
    'dev',
    ...allConfigArgs(overrides),
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persistTo,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
    ...varArgs,
  ];
  const child = spawn(wranglerBin, args, {
    cwd: root,
    env: { ...WRANGLER_ENV, ...secrets },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, exitSignal) => {
      exited = true;
      resolve({ code, signal: exitSignal });
    }),
  );
  let output = '';
  const collect = (d) => {
    output = (output + d).slice(-20_000);
    onOutput?.(String(d));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 5000);
    await exitPromise;
    clearTimeout(timer);
    // workerd children share the group; make sure none outlives wrangler.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };

  // Synchronous, so that it still takes effect when the caller is exiting on a signal.
  const killNow = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  if (signal?.aborted) killNow();
  signal?.addEventListener('abort', killNow, { once: true });
  exitPromise.then(() => {
    signal?.removeEventListener('abort', killNow);
    removeOverrides();
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new Error('platform start aborted');
    if (exited) throw new Error(`wrangler dev exited before the platform was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return { url, stop, output: () => output };
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`the platform did not become healthy within ${readyTimeoutMs} ms:\n${output}`);
}
