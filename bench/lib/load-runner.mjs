// One autocannon run, in a process of its own (forked by load.mjs). Kept out of the harness process because that
// one also parses every log line workerd prints (Miniflare does it on its event loop); sharing an event loop with
// that would slow the load generator down on exactly the routes that log, and bias their ratios.
import { createRequire } from 'node:module';
import { generated } from './stripe-events.mjs';

const autocannon = createRequire(import.meta.url)('autocannon');

/** Exact percentile of a sorted array (nearest-rank). */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * autocannon's request list when every request must differ (`generate`: a new signed webhook each time), else none:
 * the same method, headers and body are sent on every request.
 */
function requestsOf(generate) {
  if (!generate) return undefined;
  return [
    {
      setupRequest: (req) => {
        const { body, headers } = generated(generate);
        return { ...req, body, headers: { ...req.headers, ...headers } };
      },
    },
  ];
}

function run({ url, connections, durationSec, method, headers, body, generate }) {
  // autocannon's own histogram has 1 ms resolution, too coarse for sub-millisecond loopback latencies; every 2xx
  // response time (ms, from process.hrtime) is kept here instead and the percentiles are exact.
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const started = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationSec,
        method,
        headers,
        body,
        requests: requestsOf(generate),
        pipelining: 1,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        const cpu = process.cpuUsage(started);
        const sorted = latencies.subarray(0, count).sort();
        resolve({
          requests: result.requests.total,
          durationSec: result.duration,
          reqPerSec: result.requests.total / result.duration,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
          loadgenCpuMs: (cpu.user + cpu.system) / 1000,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode > 299) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
  });
}

process.once('message', async (opts) => {
  try {
    process.send({ ok: true, result: await run(opts) }, () => process.exit(0));
  } catch (err) {
    process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(1));
  }
});
