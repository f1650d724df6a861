// `pnpm bench`: builds the Workers, runs them on workerd (no wrangler dev proxy), loads every scenario and both
// ceilings over loopback at each connection count, and writes bench/results/latest.{json,md}.
//
// Environment: BENCH_DURATION (seconds per measured run, default 10), BENCH_WARMUP (seconds of unmeasured load
// before each run, default 2, or 1 when BENCH_DURATION < 6), BENCH_CONNECTIONS (default "4,32"), BENCH_ONLY (run
// only the scenarios whose name contains it), BENCH_SOAK_SECONDS (length of the memory soak of mixed traffic, default
// 300; 0 leaves it out), BENCH_PAIR_ROUNDS (rounds of the paired runs that judge the targets, default 5; 0 judges
// them on the main runs alone), BENCH_PAIR_SECONDS (seconds per paired run, default 2).
// Exits non-zero when any run saw a non-2xx response, an error or a timeout, or when a route's answer is wrong.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_LIMIT_GZIP, buildWorkers } from '../scripts/build.mjs';
import { root, WORKERS } from '../scripts/workers.mjs';
import { CLIENT_LIMIT_GZIP, clientSizeGzip } from './client-size.mjs';
import { CONSOLE_LIMIT_GZIP, consoleSizes } from './console-size.mjs';
import { measureAnalytics } from './lib/analytics.mjs';
import { measureFanout } from './lib/fanout.mjs';
import { measureFileTransfer } from './lib/file-transfer.mjs';
import { runLoad, stopLoad } from './lib/load.mjs';
import { measureWebhookLedger } from './lib/payment-webhooks.mjs';
import { cpuTickMs, findWorkerdPids, memory, totalCpuMs } from './lib/proc-stats.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { soak } from './lib/soak.mjs';
import { startStack, toolVersions } from './lib/stack.mjs';
import { generated } from './lib/stripe-events.mjs';
import { CEILINGS, SCENARIOS, TARGETS } from './scenarios.mjs';

const durationSec = positive('BENCH_DURATION', 10);
const warmupSec = positive('BENCH_WARMUP', durationSec < 6 ? 1 : 2);
// A substring of scenario names, to measure one route while working on it; the ceilings always run.
const only = process.env.BENCH_ONLY;
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '4,32').split(',').map((n) => {
  if (!/^\s*[1-9]\d*\s*$/.test(n)) throw new Error(`BENCH_CONNECTIONS must list positive integers, got "${n}"`);
  return Number(n);
});
const pairRounds = process.env.BENCH_PAIR_ROUNDS === '0' ? 0 : positive('BENCH_PAIR_ROUNDS', 5);
const pairSec = positive('BENCH_PAIR_SECONDS', 2);
const resultsDir = join(root, 'bench', 'results');
// Notification fan-out runs unless BENCH_ONLY names something else.
const fanoutEnabled = !only || 'notification fan-out'.includes(only);
const fanoutMessages = positive('BENCH_FANOUT_MESSAGES', 400);
// Webhooks to the ledger run unless BENCH_ONLY names something else.
const webhooksEnabled = !only || 'payment webhooks'.includes(only);
const webhookEvents = positive('BENCH_WEBHOOK_EVENTS', 1000);
// File transfer runs unless BENCH_ONLY names something else.
const filesEnabled = !only || 'file transfer'.includes(only);
const fileMiB = positive('BENCH_FILE_MIB', 16);
const fileRounds = positive('BENCH_FILE_ROUNDS', 12);
// Analytics (ingest to rollups, dashboard queries over the demo seed) runs unless BENCH_ONLY names something else.
const analyticsEnabled = !only || 'analytics'.includes(only);
const analyticsSeedEvents = positive('BENCH_ANALYTICS_EVENTS', 1_000_000);
const analyticsIngestEvents = positive('BENCH_ANALYTICS_INGEST', 20_000);
// The memory soak runs unless BENCH_ONLY names something else, or BENCH_SOAK_SECONDS is 0.
const soakSeconds = process.env.BENCH_SOAK_SECONDS === '0' ? 0 : positive('BENCH_SOAK_SECONDS', 300);
const soakEnabled = soakSeconds > 0 && (!only || 'memory soak'.includes(only));

function positive(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function environment() {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    totalMemBytes: totalmem(),
    platform: `${process.platform} ${process.arch}`,
    versions: toolVersions(),
    gitCommit: git('rev-parse', '--short', 'HEAD') ?? 'unknown',
    gitDirty: (git('status', '--porcelain') ?? '') !== '',
    loadAvgStart: loadavg(),
  };
}

// workerd's last warnings and errors, printed when a run fails: the Workers' own logs say why far better than a count.
// Everything else (one access-log line per request) is dropped here, as cheaply as possible.
const recentLogs = [];
function onLog(log) {
  if (log.level !== 'error' && log.level !== 'warn') return;
  recentLogs.push(`[${log.level}] ${log.message}`);
  if (recentLogs.length > 20) recentLogs.shift();
}
const logTail = () => (recentLogs.length ? `\nworkerd's last warnings and errors:\n${recentLogs.join('\n')}` : '');

// Everything this run writes outside bench/results lives in one folder, deleted on exit: the bundle copies and,
// through TMPDIR, Miniflare's scratch space (its dispose() leaves an email-store folder behind in the system /tmp).
const runDir = mkdtempSync(join(tmpdir(), 'onasis-bench-'));
let stack;
let stopping = false;
// Synchronous, so it also runs on an exit this script does not control: Miniflare registers its own SIGINT/SIGTERM
// hook, which kills workerd and calls process.exit() before an awaited dispose() here could return.
process.on('exit', () => {
  stopLoad();
  rmSync(runDir, { recursive: true, force: true });
});
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  stopLoad();
  await stack?.dispose().catch((err) => console.error('disposing Miniflare failed:', err));
  process.exit(code);
}
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));

/**
 * Builds every Worker and copies the bundles to this run's folder. workers/<name>/dist is shared: the test suite
 * rebuilds it too, and a build deletes the folder first, so a test run started meanwhile could pull a bundle away
 * between this build and workerd's start. A copy caught in that window is retried with a fresh build.
 */
async function buildSnapshot() {
  for (let attempt = 1; ; attempt++) {
    const dir = join(runDir, 'bundles');
    rmSync(dir, { recursive: true, force: true });
    try {
      const bundles = await buildWorkers();
      const dirs = new Map();
      for (const b of bundles) {
        const to = join(dir, b.name);
        cpSync(b.outdir, to, { recursive: true, filter: (src) => !src.endsWith('.map') });
        if (!existsSync(join(to, 'index.js')))
          throw Object.assign(new Error(`${b.name}: no index.js`), { code: 'ENOENT' });
        dirs.set(b.name, to);
      }
      return { bundles, dirs };
    } catch (err) {
      if (attempt === 3 || (err.code !== 'ENOENT' && !err.message.includes('ENOENT'))) throw err;
      console.warn(`A bundle vanished during the build (${err.message}); probably a concurrent build. Building again…`);
    }
  }
}

async function preflight(entry, url) {
  const fresh = entry.generate ? generated(entry.generate) : { headers: {}, body: entry.body };
  const res = await fetch(url, {
    method: entry.method,
    headers: { ...entry.headers, ...fresh.headers },
    body: fresh.body,
  });
  const text = await res.text();
  try {
    entry.check?.(res, text);
  } catch (err) {
    throw new Error(`${entry.name}: ${err.message}${logTail()}`);
  }
}

function problemsOf(name, phase, r) {
  if (r.non2xx === 0 && r.errors === 0 && r.timeouts === 0 && r.requests > 0) return [];
  return [
    `${name} (${phase}): ${r.requests} requests, ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodes)}, ` +
      `${r.errors} errors, ${r.timeouts} timeouts`,
  ];
}

/** What one autocannon run of `entry` sends: the same request every time, or a fresh one (`generate`). */
function loadOf(entry, url, connections) {
  return { url, connections, method: entry.method, headers: entry.headers, body: entry.body, generate: entry.generate };
}

async function measure(entry, url, connections, workerdPids) {
  const load = loadOf(entry, url, connections);
  const warm = await runLoad({ ...load, durationSec: warmupSec });
  // A short pause lets the previous run's sockets close before the clock starts.
  await sleep(200);
  const cpuBefore = totalCpuMs(workerdPids);
  const r = await runLoad({ ...load, durationSec });
  const cpuAfter = totalCpuMs(workerdPids);
  const workerdCpuMs = cpuBefore == null ? null : cpuAfter - cpuBefore;
  return {
    ...r,
    // After every run, so that memory growing with the requests served (a leak) is told apart from a one-off cost.
    workerdRssAfterBytes: workerdPids.length ? memory(workerdPids[0]).rssBytes : null,
    problems: [...problemsOf(entry.name, 'warm-up', warm), ...problemsOf(entry.name, `${connections} conns`, r)],
    workerdCpuMs,
    workerdCpuUsPerRequest: workerdCpuMs == null || r.requests === 0 ? null : (workerdCpuMs * 1000) / r.requests,
    workerdCpuPercent: workerdCpuMs == null ? null : (workerdCpuMs / (r.durationSec * 1000)) * 100,
    loadgenCpuPercent: (r.loadgenCpuMs / (r.durationSec * 1000)) * 100,
  };
}

function baseNameOf(target) {
  return target.baseline ?? CEILINGS.find((c) => c.id === target.ceiling).name;
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Short runs of every scenario a target names and of its baseline, taken in turn, round after round (each round
 * starting one entry later): a target's ratio is then the median of ratios measured seconds apart, which a host
 * whose load drifts over minutes (other jobs on its cores) cannot tilt the way it tilts two 10-second runs taken
 * minutes apart. `[{ scenario, connections, round, reqPerSec, cpuUsPerRequest }]`.
 */
async function pairedRounds(entries, urlOf, workerdPids) {
  const names = new Set();
  for (const t of TARGETS) {
    if (!entries.some((e) => e.name === t.scenario)) continue;
    names.add(t.scenario);
    names.add(baseNameOf(t));
  }
  const order = entries.filter((e) => names.has(e.name));
  const samples = [];
  for (const connections of connectionCounts) {
    process.stdout.write(
      `  paired rounds @ ${connections} conns (${order.length} runs of ${pairSec} s × ${pairRounds})… `,
    );
    for (let round = 0; round < pairRounds; round++) {
      for (let i = 0; i < order.length; i++) {
        const e = order[(i + round) % order.length];
        const load = loadOf(e, urlOf(e), connections);
        await sleep(100);
        const cpuBefore = totalCpuMs(workerdPids);
        const r = await runLoad({ ...load, durationSec: pairSec });
        const cpuMs = cpuBefore == null ? null : totalCpuMs(workerdPids) - cpuBefore;
        samples.push({
          scenario: e.name,
          connections,
          round,
          reqPerSec: r.reqPerSec,
          cpuUsPerRequest: cpuMs == null || r.requests === 0 ? null : (cpuMs * 1000) / r.requests,
          problems: problemsOf(e.name, `paired round ${round + 1} @ ${connections} conns`, r),
        });
      }
    }
    console.log('done');
  }
  return samples;
}

/** The median over the paired rounds of a target's ratio at one connection count; {} without paired rounds. */
function pairedRatios(samples, target, connections) {
  const baseName = baseNameOf(target);
  const ratios = [];
  const cpuRatios = [];
  for (const s of samples) {
    if (s.scenario !== target.scenario || s.connections !== connections) continue;
    const base = samples.find((b) => b.scenario === baseName && b.connections === connections && b.round === s.round);
    if (!base?.reqPerSec) continue;
    ratios.push(s.reqPerSec / base.reqPerSec);
    if (base.cpuUsPerRequest && s.cpuUsPerRequest) cpuRatios.push(base.cpuUsPerRequest / s.cpuUsPerRequest);
  }
  if (ratios.length === 0) return {};
  return {
    pairedRatio: median(ratios),
    pairedMin: Math.min(...ratios),
    pairedMax: Math.max(...ratios),
    pairedCpuRatio: cpuRatios.length ? median(cpuRatios) : null,
    rounds: ratios.length,
  };
}

async function main() {
  const env = environment();
  const entries = [
    ...CEILINGS.map((c) => ({ ...c, kind: 'ceiling' })),
    ...SCENARIOS.filter((s) => !only || s.name.includes(only)).map((s) => ({ ...s, kind: 'scenario' })),
  ];

  console.log('Building the Workers…');
  const build = await buildSnapshot();
  const bundles = build.bundles;

  console.log('Starting workerd through Miniflare…');
  mkdirSync(join(runDir, 'tmp'));
  process.env.TMPDIR = join(runDir, 'tmp');
  stack = await startStack({
    bundleDirs: build.dirs,
    directWorkers: [
      ...new Set([
        ...entries.map((e) => e.worker),
        ...(fanoutEnabled || soakEnabled || webhooksEnabled || filesEnabled || analyticsEnabled ? ['gateway'] : []),
        ...(filesEnabled ? ['direct-r2'] : []),
      ]),
    ],
    onLog,
  });
  const urlOf = (e) => new URL(e.path, stack.urlOf(e.worker)).href;
  // A scenario may need state before it can be loaded, such as an access token; its headers and body come from that.
  for (const e of entries) {
    if (e.prepare)
      Object.assign(e, await e.prepare({ urlOf: (worker, path) => new URL(path, stack.urlOf(worker)).href }));
  }
  for (const e of entries) await preflight(e, urlOf(e));

  const workerdPids = findWorkerdPids();
  if (workerdPids.length === 0) console.warn('workerd process not found in /proc: CPU and memory are not reported.');
  const rssAtStart = workerdPids.length ? memory(workerdPids[0]).rssBytes : null;
  const idleBefore = totalCpuMs(workerdPids);
  await sleep(1000);
  const workerdIdleCpuPercent = idleBefore == null ? null : ((totalCpuMs(workerdPids) - idleBefore) / 1000) * 100;

  // Connection count outermost: every scenario is then measured a few runs at most from the ceilings it is divided
  // by, so slow drifts in the load of the host (other jobs on its cores) move numerator and denominator together.
  const runs = [];
  for (const connections of connectionCounts) {
    for (const e of entries) {
      process.stdout.write(`  ${e.name} @ ${connections} conns… `);
      const r = await measure(e, urlOf(e), connections, workerdPids);
      const ms = (x) => (x == null ? '–' : x.toFixed(2));
      console.log(`${Math.round(r.reqPerSec)} req/s, p50 ${ms(r.p50Ms)} ms, p99 ${ms(r.p99Ms)} ms`);
      runs.push({
        scenario: e.name,
        kind: e.kind,
        worker: e.worker,
        method: e.method,
        path: e.path,
        ...(e.cpuPer ? { cpuPer: e.cpuPer } : {}),
        ...(e.floor ? { floor: CEILINGS.find((c) => c.shape === e.floor).id } : {}),
        connections,
        ...r,
      });
    }
  }

  const paired = pairRounds > 0 ? await pairedRounds(entries, urlOf, workerdPids) : [];

  let fanout = null;
  if (fanoutEnabled) {
    process.stdout.write(`  notification fan-out (${fanoutMessages} messages × email + inapp)… `);
    fanout = await measureFanout({
      gatewayUrl: stack.urlOf('gateway'),
      miniflare: stack.miniflare,
      messages: fanoutMessages,
      concurrency: 8,
      channels: ['email', 'inapp'],
    });
    console.log(
      `${Math.round(fanout.messagesPerSec)} messages/s (${Math.round(fanout.deliveriesPerSec)} deliveries/s), p50 ${Math.round(fanout.latencyP50Ms ?? 0)} ms`,
    );
  }

  let paymentWebhooks = null;
  if (webhooksEnabled) {
    process.stdout.write(`  payment webhooks to the ledger (${webhookEvents} signed events)… `);
    paymentWebhooks = await measureWebhookLedger({
      gatewayUrl: stack.urlOf('gateway'),
      miniflare: stack.miniflare,
      events: webhookEvents,
      concurrency: 16,
    });
    console.log(
      `${Math.round(paymentWebhooks.acksPerSec)} acks/s, ${Math.round(paymentWebhooks.appliedPerSec)} applied/s, p50 ${Math.round(paymentWebhooks.applyLatencyP50Ms ?? 0)} ms`,
    );
  }

  let fileTransfer = null;
  if (filesEnabled && workerdPids.length > 0) {
    process.stdout.write(
      `  file transfer (${fileMiB} MiB files, ${fileRounds} paired rounds; 100 MiB upload; dedupe)… `,
    );
    fileTransfer = await measureFileTransfer({
      gatewayUrl: stack.urlOf('gateway'),
      ceilingUrl: stack.urlOf('direct-r2'),
      miniflare: stack.miniflare,
      pid: workerdPids[0],
      fileMiB,
      rounds: fileRounds,
      perRound: 4,
      concurrency: 2,
      bigMiB: 100,
      dedupeUploads: 100,
      dedupeDistinct: 10,
    });
    console.log(
      `upload ${fileTransfer.upload.ratio?.toFixed(2)}×, download ${fileTransfer.download.ratio?.toFixed(2)}×, ` +
        `100 MiB upload +${Math.round(fileTransfer.bigUpload.growthBytes / 2 ** 20)} MiB RSS`,
    );
  }

  let analytics = null;
  if (analyticsEnabled) {
    process.stdout.write(
      `  analytics (${analyticsIngestEvents} events ingested to rollups; six dashboard queries over ${analyticsSeedEvents} seeded events)… `,
    );
    try {
      analytics = await measureAnalytics({
        gatewayUrl: stack.urlOf('gateway'),
        miniflare: stack.miniflare,
        ingestEvents: analyticsIngestEvents,
        seedEvents: analyticsSeedEvents,
        // 200: a p99 of 50 samples is their maximum, one scheduler hiccup; of 200, the third-worst.
        runs: 200,
        rawRuns: 5,
      });
      analytics.problems = [];
      const worst = Math.max(...analytics.queries.map((q) => q.rollupsP99Ms));
      console.log(
        `${Math.round(analytics.ingest.rolledUpPerSec)} events/s to rollups, worst query p99 ${worst.toFixed(1)} ms`,
      );
    } catch (err) {
      analytics = { problems: [`analytics: ${err.message}`] };
      console.log(`failed: ${err.message}`);
    }
  }

  let memorySoak = null;
  if (soakEnabled && workerdPids.length > 0) {
    process.stdout.write(`  memory soak (${soakSeconds} s of mixed traffic)… `);
    memorySoak = await soak({ gatewayUrl: stack.urlOf('gateway'), pid: workerdPids[0], seconds: soakSeconds });
    const mb = (b) => `${Math.round(b / 2 ** 20)} MiB`;
    console.log(
      `${memorySoak.requests} requests, RSS ${mb(memorySoak.rssStartBytes)} → ${mb(memorySoak.rssMidBytes)} → ${mb(memorySoak.rssEndBytes)}`,
    );
  }

  for (const r of runs) {
    r.ratios = Object.fromEntries(
      CEILINGS.map((c) => {
        const base = runs.find((x) => x.scenario === c.name && x.connections === r.connections);
        return [c.id, base?.reqPerSec ? r.reqPerSec / base.reqPerSec : null];
      }),
    );
    // Over the floor of the hop shape the route crosses (scenarios.mjs `floor`).
    r.floorRatio = r.floor ? r.ratios[r.floor] : null;
    r.ok = r.problems.length === 0;
  }

  const targets = TARGETS.map((t) => {
    // A goal compares a scenario with a ceiling, or with another scenario of the same run (`baseline`).
    const baseName = baseNameOf(t);
    const perConn = runs
      .filter((r) => r.scenario === t.scenario)
      .map((r) => {
        const base = runs.find((x) => x.scenario === baseName && x.connections === r.connections);
        // The same comparison by workerd CPU per request: when other jobs share the cores it moves far less than req/s.
        const cpuRatio =
          base?.workerdCpuUsPerRequest && r.workerdCpuUsPerRequest
            ? base.workerdCpuUsPerRequest / r.workerdCpuUsPerRequest
            : null;
        const ratio = t.baseline ? (base?.reqPerSec ? r.reqPerSec / base.reqPerSec : null) : r.ratios[t.ceiling];
        return { connections: r.connections, ratio, cpuRatio, ...pairedRatios(paired, t, r.connections) };
      });
    const x = (n) => (n == null ? '–' : `${n.toFixed(2)}×`);
    // Judged on the paired runs' median when there are any: the main runs of the two sides lie minutes apart.
    const judged = (p) => (p.pairedRatio !== undefined ? p.pairedRatio : p.ratio);
    return {
      label: t.label,
      // null when BENCH_ONLY left the scenario out: an unmeasured goal is neither met nor missed.
      met: perConn.length === 0 ? null : perConn.every((p) => judged(p) != null && judged(p) >= t.minRatio),
      detail: perConn
        .map((p) =>
          p.pairedRatio !== undefined
            ? `${x(p.pairedRatio)} req/s at ${p.connections} conns (median of ${p.rounds} paired rounds, ` +
              `${x(p.pairedMin)}–${x(p.pairedMax)}), ${x(p.pairedCpuRatio)} by CPU per request`
            : `${x(p.ratio)} req/s at ${p.connections} conns, ${x(p.cpuRatio)} by CPU per request`,
        )
        .join('; '),
      perConnections: perConn,
    };
  });
  const oversize = bundles.filter((b) => b.gzip >= BUNDLE_LIMIT_GZIP);
  targets.push({
    label: 'every Worker under 1 MiB gzip',
    met: oversize.length === 0,
    detail: oversize.length
      ? `over: ${oversize.map((b) => b.name).join(', ')}`
      : `largest ${Math.max(...bundles.map((b) => b.gzip)).toLocaleString('en-US')} B`,
  });
  // What a browser downloads: the console's first screen and the typed client an app bundles.
  const consoleSize = consoleSizes();
  const clientGzip = await clientSizeGzip();
  targets.push(
    {
      label: 'console first-load JavaScript under 200 KB gzip',
      met: consoleSize.firstLoadJs.gzip < CONSOLE_LIMIT_GZIP,
      detail:
        `${consoleSize.firstLoadJs.gzip.toLocaleString('en-US')} B gzip JS (+ ` +
        `${consoleSize.firstLoadCss.gzip.toLocaleString('en-US')} B CSS) in ${consoleSize.firstLoadFiles.length} files`,
    },
    {
      label: '@onasis/client under 15 KB gzip',
      met: clientGzip < CLIENT_LIMIT_GZIP,
      detail: `${clientGzip.toLocaleString('en-US')} B gzip, minified for browsers`,
    },
  );

  if (fileTransfer) {
    const f = fileTransfer;
    const x = (n) => (n == null ? '–' : `${n.toFixed(2)}×`);
    targets.push(
      {
        label: 'file upload through the gateway ≥ 0.8× the bare R2 Worker (MiB/s)',
        met: f.upload.ratio != null && f.upload.ratio >= 0.8,
        detail: `${x(f.upload.ratio)} (median of ${f.rounds} paired rounds, ${x(f.upload.ratioMin)}–${x(f.upload.ratioMax)})`,
      },
      {
        label: 'file download through the gateway ≥ 0.8× the bare R2 Worker (MiB/s)',
        met: f.download.ratio != null && f.download.ratio >= 0.8,
        detail: `${x(f.download.ratio)} (median of ${f.rounds} paired rounds, ${x(f.download.ratioMin)}–${x(f.download.ratioMax)})`,
      },
      {
        label: `workerd memory growth during a ${f.bigUpload.mib} MiB upload under 64 MiB`,
        met: f.bigUpload.growthBytes < 64 * 2 ** 20,
        detail: `${(f.bigUpload.growthBytes / 2 ** 20).toFixed(1)} MiB`,
      },
      {
        label: `${f.dedupe.uploads} uploads of ${f.dedupe.distinct} distinct files store each once`,
        met: f.dedupe.storedBytes === f.dedupe.distinct * f.dedupe.fileBytes,
        detail: `${f.dedupe.storedBytes.toLocaleString('en-US')} B stored of ${f.dedupe.naiveBytes.toLocaleString('en-US')} B uploaded`,
      },
    );
  }

  if (analytics?.queries) {
    for (const q of analytics.queries) {
      targets.push({
        label: `analytics ${q.name} over the ${(analytics.seed.events / 1e6).toFixed(1)} M-event seed under 50 ms (p50 and p99)`,
        met: q.rollupsP50Ms < 50 && q.rollupsP99Ms < 50,
        detail:
          `p50 ${q.rollupsP50Ms.toFixed(1)} ms, p99 ${q.rollupsP99Ms.toFixed(1)} ms from rollups` +
          (q.rawP50Ms == null
            ? ''
            : `; from raw rows p50 ${q.rawP50Ms.toFixed(0)} ms, p99 ${q.rawP99Ms.toFixed(0)} ms`),
      });
    }
  }

  const pid = workerdPids[0];
  const mem = pid ? memory(pid) : { rssBytes: null, peakRssBytes: null };
  const failures = [
    ...runs.flatMap((r) => r.problems),
    ...paired.flatMap((p) => p.problems),
    ...(fanout?.problems ?? []),
    ...(paymentWebhooks?.problems ?? []),
    ...(fileTransfer?.problems ?? []),
    ...(analytics?.problems ?? []),
    ...(memorySoak?.problems ?? []),
  ];
  const results = {
    schemaVersion: 1,
    date: new Date().toISOString(),
    ok: failures.length === 0,
    failures,
    environment: { ...env, loadAvgEnd: loadavg() },
    settings: { durationSec, warmupSec, connections: connectionCounts, cpuTickMs, pairRounds, pairSec },
    workerCount: WORKERS.length,
    ceilings: CEILINGS.map(({ id, name, worker, method, path, column, shape }) => ({
      id,
      name,
      worker,
      method,
      path,
      column: column === true,
      ...(shape ? { shape } : {}),
    })),
    runs: runs.map(({ problems, ...r }) => r),
    pairedRounds: paired.map(({ problems, ...p }) => p),
    fanout: fanout && (({ problems, ...f }) => f)(fanout),
    paymentWebhooks: paymentWebhooks && (({ problems, ...w }) => w)(paymentWebhooks),
    fileTransfer: fileTransfer && (({ problems, ...f }) => f)(fileTransfer),
    analytics: analytics?.queries ? (({ problems, ...a }) => a)(analytics) : null,
    memorySoak: memorySoak && (({ problems, ...m }) => m)(memorySoak),
    workerdIdleCpuPercent,
    memory: {
      workerdRssAtStartBytes: rssAtStart,
      workerdRssBytes: mem.rssBytes,
      workerdPeakRssBytes: mem.peakRssBytes,
    },
    bundles: bundles.map((b) => ({
      name: b.name,
      rawBytes: b.raw,
      gzipBytes: b.gzip,
      underLimit: b.gzip < BUNDLE_LIMIT_GZIP,
    })),
    targets,
  };

  mkdirSync(resultsDir, { recursive: true });
  const markdown = renderMarkdown(results);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  console.log('Wrote bench/results/latest.json and bench/results/latest.md.');
  if (!results.ok) {
    console.error(`\nBenchmark FAILED:\n  ${failures.join('\n  ')}${logTail()}`);
  }
  return results.ok ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(err);
} finally {
  await shutdown(code);
}
