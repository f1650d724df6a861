// Renders a run's results (the object written to latest.json) as the Markdown report.
import { sizeTable } from '../../scripts/build.mjs';

const fixed = (n, digits) => (n == null || Number.isNaN(n) ? '–' : n.toFixed(digits));
const int = (n) => (n == null ? '–' : Math.round(n).toLocaleString('en-US'));
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function runsTable(results) {
  // Older results (no `column` flags) showed every ceiling.
  const shown = results.ceilings.filter((c) => c.column !== false);
  const ceilingIds = shown.map((c) => c.id);
  const head = [
    'Scenario',
    'conns',
    'req/s',
    'p50 ms',
    'p99 ms',
    ...ceilingIds.map((id) => `× ${id}`),
    '× floor',
    'workerd CPU µs/req',
    'workerd CPU %',
    'non-2xx / errors',
  ];
  const rows = results.runs.map((r) => [
    r.scenario,
    r.connections,
    int(r.reqPerSec),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    ...ceilingIds.map((id) => fixed(r.ratios[id], 2)),
    r.floor ? `${fixed(r.floorRatio, 2)} (${r.floor})` : '–',
    fixed(r.workerdCpuUsPerRequest, 0),
    fixed(r.workerdCpuPercent, 0),
    r.ok ? `${r.non2xx} / ${r.errors + r.timeouts}` : `**${r.non2xx} / ${r.errors + r.timeouts}**`,
  ]);
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function targetLines(results) {
  return results.targets.map((t) => {
    const mark = t.met === null ? 'not measured in this run' : t.met ? 'met' : '**not met**';
    const detail = t.detail ? ` (${t.detail})` : '';
    return `- ${t.label}: ${mark}${detail}`;
  });
}

/**
 * What the floors and the drizzle ceiling say on their own, per connection count: each floor over the direct-D1
 * Worker (the price of one hop in that shape), and drizzle's CPU per request over the raw statement's.
 */
function floorLines(results) {
  const at = (id, conns) =>
    results.runs.find((r) => r.kind === 'ceiling' && r.scenario === nameOf(id) && r.connections === conns);
  const nameOf = (id) => results.ceilings.find((c) => c.id === id)?.name;
  if (!nameOf('floor-values') && !nameOf('direct-d1-drizzle')) return [];
  const lines = [];
  for (const conns of results.settings.connections) {
    const direct = at('direct-d1', conns);
    const parts = [];
    for (const id of ['floor-request', 'floor-values']) {
      const floor = at(id, conns);
      if (floor && direct) {
        parts.push(
          `${nameOf(id)} ${fixed(floor.ratios['direct-d1'], 2)}× direct-d1 by req/s, ` +
            `${fixed(direct.workerdCpuUsPerRequest / floor.workerdCpuUsPerRequest, 2)}× by CPU per request`,
        );
      }
    }
    const drizzle = at('direct-d1-drizzle', conns);
    if (drizzle && direct && drizzle.workerdCpuUsPerRequest != null && direct.workerdCpuUsPerRequest != null) {
      parts.push(
        `drizzle-orm adds ${fixed(drizzle.workerdCpuUsPerRequest - direct.workerdCpuUsPerRequest, 0)} µs of workerd ` +
          `CPU per request to the raw statement (${fixed(drizzle.ratios['direct-d1'], 2)}× direct-d1 by req/s)`,
      );
    }
    if (parts.length) lines.push(`- ${conns} conns: ${parts.join('; ')}`);
  }
  return lines.length ? ['## Floors', '', ...lines, ''] : [];
}

/** Scenarios that state their cost as CPU milliseconds per operation (`cpuPer` in scenarios.mjs). */
function cpuCostLines(results) {
  const runs = results.runs.filter((r) => r.cpuPer && r.workerdCpuUsPerRequest != null);
  if (runs.length === 0) return [];
  return [
    '## CPU per operation',
    '',
    ...runs.map(
      (r) =>
        `- ${r.scenario} @ ${r.connections} conns: ${(r.workerdCpuUsPerRequest / 1000).toFixed(1)} ms of workerd CPU per ${r.cpuPer}`,
    ),
    '',
  ];
}

/** Notification fan-out: send API to finished sandbox delivery. */
function fanoutLines(results) {
  const f = results.fanout;
  if (!f) return [];
  return [
    '## Notification fan-out',
    '',
    `${f.messages} sends of \`POST /api/v1/notifications/send\` to one user over ${f.channels.join(' + ')} (${f.concurrency} at a time), through the gateway, identity's contact lookup, the notifications queue and its consumer, to finished sandbox deliveries:`,
    '',
    `- ${fixed(f.messagesPerSec, 0)} messages/s end to end (${fixed(f.deliveriesPerSec, 0)} deliveries/s; ${f.deliveries} deliveries in ${fixed(f.totalMs / 1000, 1)} s)`,
    `- the send API accepted ${fixed(f.sendsPerSec, 0)} messages/s`,
    `- send to delivery: p50 ${fixed(f.latencyP50Ms, 0)} ms, p99 ${fixed(f.latencyP99Ms, 0)} ms`,
    '',
  ];
}

/** Signed Stripe webhooks to applied ledger entries. */
function webhookLines(results) {
  const w = results.paymentWebhooks;
  if (!w) return [];
  return [
    '## Payment webhooks to the ledger',
    '',
    `${w.events} signed \`payment_intent.succeeded\` deliveries to \`POST /webhooks/stripe\` (${w.concurrency} at a time) through the gateway, each settling a seeded processing payment: signature check, the payments queue, its consumer storing the event by id, the payment moved and its capture written to the ledger:`,
    '',
    `- ${fixed(w.acksPerSec, 0)} webhooks/s acknowledged`,
    `- ${fixed(w.appliedPerSec, 0)} webhooks/s applied end to end (${w.applied} ledger captures in ${fixed(w.totalMs / 1000, 1)} s)`,
    `- receipt to applied: p50 ${fixed(w.applyLatencyP50Ms, 0)} ms, p99 ${fixed(w.applyLatencyP99Ms, 0)} ms`,
    '',
  ];
}

function fileTransferLines(results) {
  const f = results.fileTransfer;
  if (!f) return [];
  const mib = (b) => `${fixed(b / 2 ** 20, 1)} MiB`;
  const side = (t) =>
    `${fixed(t.gatewayMiBps, 0)} MiB/s through the gateway, ${fixed(t.ceilingMiBps, 0)} MiB/s bare: ` +
    `**${fixed(t.ratio, 2)}×** (median of ${f.rounds} paired rounds, ${fixed(t.ratioMin, 2)}–${fixed(t.ratioMax, 2)}×)`;
  return [
    '## File transfer',
    '',
    `Files of ${f.fileMiB} MiB (random, so neither compressed nor deduplicated), ${f.perRound} per side per round, ` +
      `${f.concurrency} at a time: \`POST /api/v1/files\` and \`GET /api/v1/files/{id}/content\` as the bench user, ` +
      'against the bare Worker of `bench/workers/direct-r2.mjs` streaming to and from the same local R2 bucket:',
    '',
    `- upload: ${side(f.upload)}`,
    `- download: ${side(f.download)}`,
    `- one ${f.bigUpload.mib} MiB upload: workerd RSS ${mib(f.bigUpload.rssBeforeBytes)} → peak ${mib(f.bigUpload.rssPeakBytes)} (growth ${mib(f.bigUpload.growthBytes)})`,
    `- deduplication: ${f.dedupe.uploads} uploads of ${f.dedupe.distinct} distinct ${mib(f.dedupe.fileBytes)} files ` +
      `stored ${mib(f.dedupe.storedBytes)} in ${f.dedupe.blobs} blobs, against ${mib(f.dedupe.naiveBytes)} stored naively ` +
      `(${fixed((f.dedupe.storedBytes / f.dedupe.naiveBytes) * 100, 1)}%)`,
    '',
  ];
}

function analyticsLines(results) {
  const a = results.analytics;
  if (!a) return [];
  const i = a.ingest;
  const ms = (n) => (n == null ? '–' : fixed(n, 1));
  return [
    '## Analytics',
    '',
    `Ingest: ${i.events.toLocaleString('en-US')} pageviews in batches of 100 to \`POST /api/v1/analytics/batch\` ` +
      `(${i.concurrency} at a time) through the gateway, timed until the site's rollups count every one: ` +
      `**${fixed(i.rolledUpPerSec, 0)} events/s** to rollups (${fixed(i.acceptedPerSec, 0)} events/s accepted).`,
    '',
    `Dashboard queries over the demo seed (\`scripts/seed-analytics-traffic.mjs\`: ${a.seed.events.toLocaleString('en-US')} ` +
      `events over 90 days, ${a.seed.siteDays} site-days, one dominant site; seeded in ${fixed(a.seed.seedMs / 1000, 1)} s), ` +
      "30 days of the dominant site, one at a time through the gateway as an admin. Rollups answer (the funnel's index and kept answers for the funnel); `compute=raw` asks the same query of the raw events. The percentiles leave out three first calls; the very first is shown on its own (a funnel computes and keeps each day's answer there, later calls read them):",
    '',
    '| Query | first call (ms) | rollups p50 (ms) | rollups p99 (ms) | raw rows p50 (ms) | raw rows p99 (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...a.queries.map(
      (q) =>
        `| ${q.name} | ${ms(q.firstMs)} | ${ms(q.rollupsP50Ms)} | ${ms(q.rollupsP99Ms)} | ${ms(q.rawP50Ms)} | ${ms(q.rawP99Ms)} |`,
    ),
    '',
  ];
}

function soakLines(results) {
  const m = results.memorySoak;
  if (!m) return [];
  const perMin = m.secondHalfGrowthMiBPerMin;
  return [
    '## Memory soak',
    '',
    `${fixed(m.seconds / 60, 1)} minutes of mixed traffic through the gateway, one connection each side by side: cached ` +
      'and uncached JWKS, a signed-in `/api/v1/users/me`, `/health`, an unknown route, an unknown API key and sign-ins ' +
      `(${m.requests.toLocaleString('en-US')} requests). workerd RSS after each slice:`,
    '',
    `| s | requests | RSS |`,
    `| ---: | ---: | ---: |`,
    ...m.samples.map((x) => `| ${x.atSec} | ${x.requests.toLocaleString('en-US')} | ${mib(x.rssBytes)} |`),
    '',
    `Second half: ${perMin >= 0 ? '+' : ''}${fixed(perMin, 1)} MiB/min (${mib(m.rssMidBytes)} → ${mib(m.rssEndBytes)}).`,
    '',
  ];
}

/** The Markdown report of one run. */
export function renderMarkdown(results) {
  const env = results.environment;
  const v = env.versions;
  const s = results.settings;
  const mem = results.memory;
  const lines = [
    '# Onasis Core benchmark',
    '',
    `${results.date} · ${env.cpuModel}, ${env.cores} cores · Node ${v.node}, ${v.workerd}, wrangler ${v.wrangler}, ` +
      `miniflare ${v.miniflare}, autocannon ${v.autocannon} · commit ${env.gitCommit}${env.gitDirty ? ' (dirty)' : ''}`,
    '',
    `${s.durationSec} s per run after a ${s.warmupSec} s warm-up, closed loop over HTTP/1.1 on 127.0.0.1. Load average ` +
      `${env.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${env.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')} at the end.`,
    '',
    results.ok ? '' : `**FAILED: ${results.failures.join('; ')}**\n`,
    '## Throughput and latency',
    '',
    runsTable(results),
    '',
    `× columns: req/s divided by the ceiling's req/s at the same connection count, measured in this run; × floor: ` +
      `divided by the floor of the hop shape the route crosses (named in brackets). ` +
      `workerd CPU: user + system time of the whole workerd process over the run, divided by the requests served ` +
      `(idle workerd used ${fixed(results.workerdIdleCpuPercent, 1)} % of a core). See bench/README.md.`,
    '',
    '## Targets',
    '',
    ...targetLines(results),
    '',
    ...floorLines(results),
    ...cpuCostLines(results),
    ...fanoutLines(results),
    ...webhookLines(results),
    ...fileTransferLines(results),
    ...analyticsLines(results),
    ...soakLines(results),
    '## Bundles',
    '',
    sizeTable(results.bundles.map((b) => ({ name: b.name, raw: b.rawBytes, gzip: b.gzipBytes }))),
    '',
    '## Memory',
    '',
    mem.workerdRssBytes == null
      ? 'workerd RSS: not available (no /proc).'
      : `workerd RSS after the runs: ${mib(mem.workerdRssBytes)} (peak ${mib(mem.workerdPeakRssBytes)}; ` +
        `${mib(mem.workerdRssAtStartBytes)} once started and migrated, before any load). One process holds all ` +
        `${results.workerCount} Workers, the bench Workers, their isolates and the local D1/DO storage; ` +
        `latest.json has the RSS after every run.`,
    '',
  ];
  return lines.filter((l, i) => !(l === '' && lines[i - 1] === '')).join('\n');
}
