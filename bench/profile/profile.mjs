// CPU profiles of the built Workers under load: where each request's CPU goes, by function. One file of 500 lines on
// purpose: both modes share the start-up, the load and the source-mapped attribution, and nothing else uses them.
//
//   node bench/profile/profile.mjs [scenario…]        DevTools (V8 sampling) profiles, per isolate
//   PROFILE_PERF=1 node bench/profile/profile.mjs …   `perf record` of the whole workerd process instead
//
// Scenarios: gw-404 gw-oidc id-oidc gw-jwks gw-jwks-miss id-jwks gw-me gw-jwks-auth gw-webhook hello floor-values
// (default: gw-404 gw-oidc id-oidc).
// Environment: PROFILE_DURATION (s, default 5), PROFILE_CONNECTIONS (8), PROFILE_INTERVAL_US (DevTools sampling, 50),
// PROFILE_TOP (rows per table, 25), PROFILE_NOBUILD=1 (use the existing workers/*/dist instead of building).
//
// The platform starts exactly as `pnpm bench` starts it (bench/lib/stack.mjs, unchanged), with two tweaks made from
// here: each bundle's module is named `<worker>/index.js` instead of `index.js` (so that frames of different Workers
// can be told apart), and, in DevTools mode, Miniflare's `inspectorPort`.
//
// DevTools mode connects to each profiled Worker's inspector target (http://127.0.0.1:<port>/json), runs
// Profiler.setSamplingInterval + start, loads the route with autocannon, stops, and aggregates self and total time
// by function, mapped back through the bundle's source map. Caveats: it samples wall time of one isolate, not CPU
// (when the cores are busy the sampler is starved: samples come hundreds of µs apart, not 50); with the inspector attached,
// console.log also builds a V8 console message with a captured stack trace, so logging looks far dearer than it is.
//
// perf mode (no inspector) samples every thread of workerd at 4999 Hz with call graphs; V8 runs with
// --perf-basic-prof so JIT frames are named. Each sample is charged (a) to the innermost JavaScript function on its
// stack (source-mapped) — "JS function incl. the natives it calls" — and (b) to a category (HTTP server, JSON,
// Headers, Response, console/logging, RPC, D1/SQLite, GC, kernel, …). µs/req = share of samples × measured workerd
// CPU per request. Raw data is kept in bench/profile/out/ (*.cpuprofile for Chrome DevTools, *.perf.data for perf).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildWorkers } from '../../scripts/build.mjs';
import { root, WORKERS } from '../../scripts/workers.mjs';
import { runLoad, stopLoad } from '../lib/load.mjs';
import { findWorkerdPids, totalCpuMs } from '../lib/proc-stats.mjs';
import { generated } from '../lib/stripe-events.mjs';

const SCENARIOS = {
  'gw-404': { worker: 'gateway', path: '/nope', profile: ['gateway'] },
  'gw-oidc': { worker: 'gateway', path: '/.well-known/openid-configuration', profile: ['gateway', 'identity'] },
  'id-oidc': { worker: 'identity', path: '/.well-known/openid-configuration', profile: ['identity'] },
  'gw-jwks': { worker: 'gateway', path: '/.well-known/jwks.json', profile: ['gateway', 'identity'] },
  'id-jwks': { worker: 'identity', path: '/.well-known/jwks.json', profile: ['identity'] },
  hello: { worker: 'hello-world', path: '/', profile: ['hello-world'] },
  // The plain-values floor: the same read behind one bare RPC hop, for a side-by-side with gw-jwks-miss.
  'floor-values': {
    worker: 'hop-caller',
    path: '/values/.well-known/jwks.json',
    profile: ['hop-caller', 'hop-callee'],
  },
  // Signed in as the bench user: token verification, session check, limits and the hop to identity's D1 read.
  'gw-jwks-miss': {
    worker: 'gateway',
    path: '/.well-known/jwks.json',
    profile: ['gateway', 'identity'],
    noCache: true,
  },
  'gw-me': { worker: 'gateway', path: '/api/v1/users/me', profile: ['gateway', 'identity'], signedIn: true },
  'gw-jwks-auth': {
    worker: 'gateway',
    path: '/.well-known/jwks.json',
    profile: ['gateway', 'identity'],
    signedIn: true,
  },
  // A signed Stripe webhook, a new event each request: verify, store by id, queue (and the consumer behind it).
  'gw-webhook': {
    worker: 'gateway',
    path: '/webhooks/stripe',
    method: 'POST',
    generate: 'stripe-webhook',
    profile: ['gateway', 'payments'],
  },
};
const TARGET_OF = {
  'hello-world': 'core:user:hello-world',
  'hop-caller': 'core:user:hop-caller',
  'hop-callee': 'core:user:hop-callee',
};
for (const w of WORKERS) TARGET_OF[w.name] = `core:user:onasis-${w.name}`;

const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const durationSec = num('PROFILE_DURATION', 5);
const connections = num('PROFILE_CONNECTIONS', 8);
const intervalUs = num('PROFILE_INTERVAL_US', 50);
const top = num('PROFILE_TOP', 25);
const usePerf = Boolean(process.env.PROFILE_PERF);
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ['gw-404', 'gw-oidc', 'id-oidc'];
for (const s of chosen) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}; known: ${Object.keys(SCENARIOS)}`);
const outDir = join(root, 'bench', 'profile', 'out');
mkdirSync(outDir, { recursive: true });
const runDir = mkdtempSync(join(tmpdir(), 'onasis-profile-'));
const bundlesDir = join(runDir, 'bundles');

// --- Miniflare, through stack.mjs unchanged -------------------------------------------------------------------
// stack.mjs takes Miniflare from wrangler's own dependency; swap that module's exports in the require cache for a
// copy whose convertV4MiniflareOptions applies the tweaks above, before stack.mjs is loaded.
// (V8 would also write an isolate-*-v8.log per isolate into the working directory: sent to /dev/null.)
if (usePerf)
  process.env.MINIFLARE_WORKERD_V8_FLAGS =
    '--perf-basic-prof --interpreted-frames-native-stack --logfile=/dev/null --no-logfile-per-isolate';
const require = createRequire(import.meta.url);
const wranglerRequire = createRequire(require.resolve('wrangler'));
const miniflarePath = wranglerRequire.resolve('miniflare');
const miniflareModule = wranglerRequire('miniflare');
require.cache[miniflarePath].exports = {
  ...miniflareModule,
  convertV4MiniflareOptions: (opts) =>
    miniflareModule.convertV4MiniflareOptions({
      ...opts,
      ...(usePerf ? {} : { inspectorPort: 0 }),
      workers: opts.workers.map((w) => (w.modulesRoot?.startsWith(bundlesDir) ? { ...w, modulesRoot: bundlesDir } : w)),
    }),
};
const { BENCH_USER, startStack } = await import('../lib/stack.mjs');

/** The bearer header of a fresh access token of the bench user, signed in through the gateway. */
async function bearerOf(stack) {
  const res = await fetch(new URL('/auth/login', stack.urlOf('gateway')), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
  });
  if (res.status !== 200) throw new Error(`signing the bench user in answered ${res.status}`);
  return { authorization: `Bearer ${(await res.json()).accessToken}` };
}

// --- Source maps ----------------------------------------------------------------------------------------------
const maps = new Map(); // url (`gateway/index.js`) → { map, lines } | null
function mapFor(url) {
  if (!maps.has(url)) {
    let entry = null;
    const file = join(bundlesDir, `${url}.map`);
    if (url.endsWith('/index.js') && existsSync(file)) {
      const payload = JSON.parse(readFileSync(file, 'utf8'));
      const lines = new Map(payload.sources.map((s, i) => [s, (payload.sourcesContent?.[i] ?? '').split('\n')]));
      entry = { map: new SourceMap(payload), lines };
    }
    maps.set(url, entry);
  }
  return maps.get(url);
}

/** `{ where: 'pkg/file.ts:line', line: source text }` of a bundle position (0-based), or null. */
function originOf(url, line0, col0) {
  const m = url && line0 >= 0 ? mapFor(url) : null;
  if (!m) return null;
  const e = m.map.findEntry(line0, col0);
  if (!e || e.originalSource === undefined) return null;
  const file = e.originalSource
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^(\.\.\/)+/, '')
    .replace(/^webpack:\/\/\//, '');
  const text = m.lines.get(e.originalSource)?.[e.originalLine]?.trim().slice(0, 80) ?? '';
  return { where: `${file}:${e.originalLine + 1}`, line: text };
}

const workerOfUrl = (url) => (url.endsWith('/index.js') ? url.slice(0, -'/index.js'.length) : url);

/** A readable key for a JS function: `[worker] name  file.ts:line  source text`. */
function jsKey(name, url, line0, col0) {
  const o = originOf(url, line0, col0);
  const fn = name || '(anonymous)';
  if (o) return `[${workerOfUrl(url)}] ${fn.slice(0, 28)}  ${o.where}  ${o.line}`;
  return url ? `${fn}  ${url}:${line0 + 1}:${col0 + 1}` : fn;
}

const pct = (n, d) => `${((n / d) * 100).toFixed(1).padStart(5)}%`;
function table(title, counts, total, usPerUnit, limit = top) {
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  return [
    `  -- ${title} --`,
    ...rows.map(([k, n]) => `  ${pct(n, total)} ${(n * usPerUnit).toFixed(1).padStart(6)} µs/req  ${k}`),
  ];
}
const bump = (m, k, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

// --- DevTools protocol ----------------------------------------------------------------------------------------
async function connect(wsUrl) {
  const ws = new WebSocket(wsUrl);
  await new Promise((res, rej) => {
    ws.onopen = res;
    ws.onerror = (e) => rej(new Error(`inspector ${wsUrl}: ${e.message ?? 'connection failed'}`));
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    const p = msg.id !== undefined && pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.rej(new Error(`${p.method}: ${JSON.stringify(msg.error)}`));
    else p.res(msg.result);
  };
  return {
    send: (method, params = {}) =>
      new Promise((res, rej) => {
        const i = ++id;
        pending.set(i, { res, rej, method });
        ws.send(JSON.stringify({ id: i, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self and total time by function of a V8 CPU profile; wall time of the isolate, per request. */
function analyseCpuProfile(profile, requests) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = new Map();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const native = f.functionName ? `${f.functionName} (native)` : '(native, unnamed)';
    keyOf.set(
      n.id,
      f.url
        ? jsKey(f.functionName, f.url, f.lineNumber, f.columnNumber)
        : f.functionName.startsWith('(')
          ? f.functionName
          : native,
    );
  }
  const self = new Map();
  const total = new Map();
  let all = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : intervalUs;
    all += dt;
    if (keyOf.get(id) === '(idle)') {
      idle += dt;
      return;
    }
    bump(self, keyOf.get(id), dt);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const k = keyOf.get(n);
      if (k === '(root)' || seen.has(k)) continue;
      seen.add(k);
      bump(total, k, dt);
    }
  });
  const busy = all - idle;
  return [
    `  ${profile.samples.length} samples (mean ${(all / profile.samples.length).toFixed(0)} µs apart) over ` +
      `${(all / 1e6).toFixed(2)} s; not idle ${(busy / 1e6).toFixed(2)} s = ${(busy / requests).toFixed(1)} µs/req`,
    ...table('self time', self, busy, 1 / requests),
    ...table('total time (inclusive)', total, busy, 1 / requests),
  ];
}

async function devtoolsRun(name, s, load, pids, inspectorHost) {
  const targets = await (await fetch(`http://${inspectorHost}/json`)).json();
  const sessions = [];
  for (const short of s.profile) {
    const t = targets.find((x) => x.id === TARGET_OF[short] || x.title === TARGET_OF[short]);
    if (!t) throw new Error(`no inspector target for ${short}; have ${targets.map((x) => x.id).join(', ')}`);
    const cdp = await connect(t.webSocketDebuggerUrl ?? `ws://${inspectorHost}/${t.id}`);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
    sessions.push({ short, cdp });
  }
  for (const x of sessions) await x.cdp.send('Profiler.start');
  const cpu0 = totalCpuMs(pids);
  const r = await runLoad({ ...load, durationSec });
  const cpuUs = ((totalCpuMs(pids) - cpu0) * 1000) / r.requests;
  console.log(
    `${r.requests} requests, ${Math.round(r.reqPerSec)} req/s, workerd CPU ${cpuUs.toFixed(0)} µs/req (profiled)`,
  );
  for (const { short, cdp } of sessions) {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.send('Profiler.disable');
    cdp.close();
    writeFileSync(join(outDir, `${name}.${short}.cpuprofile`), JSON.stringify(profile));
    console.log(`--- ${short} isolate (${name}), DevTools sampling ---`);
    console.log(analyseCpuProfile(profile, r.requests).join('\n'));
  }
}

// --- perf -----------------------------------------------------------------------------------------------------
// Categories of a perf sample: walking its stack from the innermost frame out, the first frame that a rule names
// decides (so Headers::set called from a handler counts as Headers, and the handler's own code as JavaScript).
// Allocation, kernel and V8 builtin frames are see-through: they only decide when nothing further out does.
const RULES = [
  [
    'GC',
    /^v8::internal::(Heap::|Scavenge|MarkCompact|MinorMarkSweep|ConcurrentMarking|IncrementalMarking|Sweeper|MemoryAllocator)|^cppgc::internal::(Marker|Sweeper|.*Visitor|.*Marking)/,
  ],
  [
    'JS↔C++ wrapper objects (cppgc shims, handles)',
    /HeapTracer|Wrappable::|GlobalHandles::|MakeGarbageCollected|SetAlignedPointerInInternalField|ExternalEntityTable/,
  ],
  [
    'stack trace capture (new Error, console)',
    /CaptureSimpleStackTrace|CaptureDetailedStackTrace|ErrorUtils::Construct|CaptureStackTrace|OptimizedJSFrame::Summarize|StackFrameIterator/,
  ],
  [
    'console.log / log output',
    /workerd::api::.*Console|handleLog|consoleLog|LogMessage|v8_inspector::|kj::_::Debug::|Trace::addLog|structuredLog|WriteLog/i,
  ],
  ['D1 / SQLite (native)', /sqlite3|SqliteDatabase|workerd::api::.*D1/],
  [
    'RPC (de)serialisation',
    /Serializer|Deserializer|JsRpc.*(serialize|Serialize)|workerd::api::(Request|Response|ReadableStream|Headers)::(de)?serialize|capnp::/,
  ],
  ['RPC call plumbing', /JsRpc|workerd::rpc::|EntrypointJsRpcTarget|CallContext|capnp/],
  ['Headers', /workerd::api::Headers::/],
  [
    'Request / Response / body streams',
    /workerd::api::(Response|Request|Body|ReadableStream|WritableStream|JsReadableStream|ReadableStreamInternalController|pumpOwnedSourceToSink)/,
  ],
  ['JSON.stringify / parse', /Json(Stringifier|Parser)|FastJsonStringifier|JsonStringify|JsonParse/],
  ['crypto.getRandomValues / randomUUID', /getRandomValues|randomUUID/],
  ['timers', /workerd::api::.*(Timeout|Timer)|TimerChannel/],
  [
    'V8 compile / deopt',
    /v8::internal::(Compiler|Maglev|maglev::|compiler::|baseline::|Deoptimizer|Parser|Runtime_CompileLazy)|Builtins_CompileLazy|Runtime_Deoptimize/,
  ],
];
// Outer frames of every request's stack: they only decide when nothing inside them does.
const HTTP = /^(<)?kj_hyper|^(<)?hyper::|^(<)?http::|httparse|HttpConnection|kj::HttpHeaders|HttpHeaderTable/;
const SEE_THROUGH = [
  [
    'malloc / free',
    /^(tcmalloc|TCMalloc|__libc_malloc|malloc|free|cfree|operator new|operator delete)|^__mem(move|cpy|set|cmp)/,
  ],
  [
    'kernel / libc syscalls',
    /^\[kernel\]$|^(__GI_|__libc_|epoll|syscall|write|writev|read|sendmsg|recvmsg|fsync|__send|__recv|__mmap|__mprotect|__munmap)/,
  ],
  ['V8 builtins (async/await, promise jobs, property access)', /^Builtins_/],
];

function classify(frames) {
  let fallback = null;
  for (const f of frames) {
    const js = JS_FRAME.exec(f);
    if (js) {
      const url = js[2];
      if (url.endsWith('/index.js')) return `JavaScript: ${workerOfUrl(url)} bundle`;
      if (/^(node|cloudflare)-internal:/.test(url))
        return 'JavaScript: workerd built-in modules (node-internal, cloudflare-internal)';
      return `JavaScript: ${url} (Miniflare / bench Worker)`;
    }
    for (const [name, re] of RULES) if (re.test(f)) return name;
    if (!fallback) for (const [name, re] of SEE_THROUGH) if (re.test(f)) fallback = name;
  }
  if (fallback) return fallback;
  if (frames.some((f) => HTTP.test(f))) return 'HTTP server: parse, serialise, connection (kj_hyper)';
  if (frames.some((f) => /IoContext|Worker::Lock|jsg::|kj::/.test(f)))
    return 'workerd request plumbing (IoContext, promises, locks)';
  return 'other native';
}

function parsePerfScript(text) {
  const samples = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    if (lines.length < 2) continue;
    const tid = lines[0].trim().split(/\s+/)[0];
    const frames = lines.slice(1).map((l) => {
      const m = /^\s*[0-9a-f]+\s+(.*?)(?: \(([^)]*)\))?$/.exec(l);
      const sym = m?.[1] ?? l.trim();
      if (m?.[2]?.includes('kernel')) return '[kernel]';
      return sym;
    });
    samples.push({ tid, frames });
  }
  return samples;
}

const JS_FRAME = /^(?:JS|Script):[~^+*']*(.*?) (\S+):(\d+):(\d+)$/;

function analysePerf(samples, mainTid, cpuUsPerReq) {
  const n = samples.length;
  const us = cpuUsPerReq / n;
  const byThread = new Map();
  const cats = new Map();
  const innerJs = new Map(); // innermost JS function, natives it calls included
  const inclusive = new Map(); // every JS function on the stack
  const nativeApis = new Map(); // workerd::api / V8 builtins reached, inclusive
  const selfSym = new Map();
  for (const { tid, frames } of samples) {
    bump(
      byThread,
      tid === mainTid ? 'main thread (event loop, all isolates)' : 'other threads (GC helpers, compiler, …)',
    );
    bump(cats, classify(frames));
    bump(selfSym, (frames[0] ?? '?').slice(0, 110));
    let inner = null;
    const seen = new Set();
    for (const f of frames) {
      const m = JS_FRAME.exec(f);
      if (!m) continue;
      const key = jsKey(m[1], m[2], Number(m[3]) - 1, Number(m[4]) - 1);
      inner ??= key;
      if (!seen.has(key)) {
        seen.add(key);
        bump(inclusive, key);
      }
    }
    bump(innerJs, inner ?? '(no JS on the stack: workerd native work)');
    const apis = new Set();
    for (const f of frames) {
      const a = /^(workerd::api::[A-Za-z0-9_:]+?)(?:<|\(|$)/.exec(f)?.[1] ?? /^(Builtins_[A-Za-z]+)/.exec(f)?.[1];
      if (a) apis.add(a.replace(/::(operator|\$_).*$/, ''));
    }
    for (const a of apis) bump(nativeApis, a);
  }
  return [
    `  ${n} samples; shares below are in µs of ${cpuUsPerReq.toFixed(0)} µs/req (workerd CPU without perf)`,
    ...table('by thread', byThread, n, us, 5),
    ...table('by category (first match on the stack)', cats, n, us, 30),
    ...table('innermost JS function, natives it calls included', innerJs, n, us),
    ...table('JS function, inclusive', inclusive, n, us),
    ...table('workerd API / V8 builtin on the stack, inclusive', nativeApis, n, us),
    ...table('self (leaf symbol)', selfSym, n, us, 15),
  ];
}

/**
 * V8 appends an entry to /tmp/perf-<pid>.map for every code object it creates, and reuses the space of code it
 * collected, so one address can carry several names and perf picks any of them. Keep, for each address, only the
 * newest entry (the profiled window is after the warm-up, when the code in use is the latest compiled).
 */
function cleanPerfMap(file) {
  if (!existsSync(file)) return;
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      const [start, size] = line.split(' ', 2);
      const s0 = Number.parseInt(start, 16);
      return { s0, e0: s0 + Number.parseInt(size, 16), i, line };
    });
  // Newest first; an entry survives when it overlaps no newer survivor.
  entries.sort((a, b) => b.i - a.i);
  const kept = []; // sorted by start, non-overlapping
  const firstEndingAfter = (x) => {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid].e0 <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const e of entries) {
    const k = firstEndingAfter(e.s0);
    if (k < kept.length && kept[k].s0 < e.e0) continue;
    kept.splice(k, 0, e);
  }
  writeFileSync(file, `${kept.map((e) => e.line).join('\n')}\n`);
}

async function perfRun(name, load, pids, plainUs) {
  const data = join(outDir, `${name}.perf.data`);
  const perf = spawn('perf', ['record', '-q', '-F', '4999', '-g', '-o', data, '-p', pids.join(',')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await new Promise((r) => setTimeout(r, 300));
  const cpu0 = totalCpuMs(pids);
  const r = await runLoad({ ...load, durationSec });
  const cpuUs = ((totalCpuMs(pids) - cpu0) * 1000) / r.requests;
  perf.kill('SIGINT');
  await new Promise((res) => perf.on('exit', res));
  console.log(
    `${r.requests} requests, ${Math.round(r.reqPerSec)} req/s, workerd CPU ${cpuUs.toFixed(0)} µs/req (perf)`,
  );
  for (const pid of pids) cleanPerfMap(`/tmp/perf-${pid}.map`);
  const text = execFileSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(join(outDir, `${name}.perf-script.txt.gz`), gzipSync(text));
  console.log(`--- workerd process (${name}), perf ---`);
  // Shares of the profiled run, in µs of the unprofiled run's CPU per request (perf itself adds ~25 %).
  console.log(analysePerf(parsePerfScript(text), String(pids[0]), plainUs).join('\n'));
}

// --- Main -----------------------------------------------------------------------------------------------------
let stack;
let pids = [];
process.on('exit', () => {
  stopLoad();
  rmSync(runDir, { recursive: true, force: true });
  for (const pid of pids) rmSync(`/tmp/perf-${pid}.map`, { force: true });
});

// PROFILE_REPORT=<scenario>: only re-analyse bench/profile/out/<scenario>.perf-script.txt.gz (saved by perf mode),
// with the source maps of workers/*/dist, which must still be the bundles that were profiled.
if (process.env.PROFILE_REPORT) {
  const name = process.env.PROFILE_REPORT;
  for (const w of WORKERS) cpSync(join(root, w.dir, 'dist'), join(bundlesDir, w.name), { recursive: true });
  const text = gunzipSync(readFileSync(join(outDir, `${name}.perf-script.txt.gz`))).toString('utf8');
  const samples = parsePerfScript(text);
  const tids = new Map();
  for (const x of samples) bump(tids, x.tid);
  const mainTid = [...tids.entries()].sort((a, b) => b[1] - a[1])[0][0];
  console.log(analysePerf(samples, mainTid, num('PROFILE_CPU_US', 1000)).join('\n'));
  process.exit(0);
}

try {
  const bundleDirs = new Map();
  if (process.env.PROFILE_NOBUILD) {
    for (const w of WORKERS) bundleDirs.set(w.name, join(root, w.dir, 'dist'));
  } else {
    console.log('Building the Workers…');
    for (const b of await buildWorkers()) bundleDirs.set(b.name, b.outdir);
  }
  // A private copy, maps included, so that a concurrent build cannot swap a bundle and its map apart.
  for (const [n, dir] of bundleDirs) {
    cpSync(dir, join(bundlesDir, n), { recursive: true });
    bundleDirs.set(n, join(bundlesDir, n));
  }
  mkdirSync(join(runDir, 'tmp'));
  process.env.TMPDIR = join(runDir, 'tmp');
  console.log(`Starting workerd${usePerf ? ' (perf mode)' : ' with an inspector'}…`);
  stack = await startStack({
    bundleDirs,
    directWorkers: [...new Set(chosen.map((s) => SCENARIOS[s].worker))],
    onLog: () => {},
  });
  pids = findWorkerdPids();
  const inspectorHost = usePerf ? null : (await stack.miniflare.getInspectorURL()).host;

  for (const name of chosen) {
    const s = SCENARIOS[name];
    const url = new URL(s.path, stack.urlOf(s.worker)).href;
    const headers = {
      ...(s.signedIn || s.noCache ? { 'cache-control': 'no-cache' } : {}),
      ...(s.signedIn ? await bearerOf(stack) : {}),
    };
    const method = s.method ?? 'GET';
    const fresh = s.generate ? generated(s.generate) : { headers: {}, body: undefined };
    const probe = await fetch(url, { method, headers: { ...headers, ...fresh.headers }, body: fresh.body });
    console.log(
      `\n=== ${name}: ${method} ${url} → ${probe.status} (${(await probe.text()).length} B), ${connections} conns`,
    );
    const load = { url, connections, method, headers, generate: s.generate, durationSec: 2 };
    await runLoad(load); // warm-up
    const cpuA = totalCpuMs(pids);
    const plain = await runLoad({ ...load, durationSec });
    const plainUs = ((totalCpuMs(pids) - cpuA) * 1000) / plain.requests;
    console.log(
      `${plain.requests} requests, ${Math.round(plain.reqPerSec)} req/s, workerd CPU ${plainUs.toFixed(0)} µs/req (not profiled)`,
    );
    if (usePerf) await perfRun(name, load, pids, plainUs);
    else await devtoolsRun(name, s, load, pids, inspectorHost);
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await stack?.dispose();
}
