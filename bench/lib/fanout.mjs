// Notification fan-out: how many messages per second go from `POST /api/v1/notifications/send` to a finished
// sandbox delivery, through the gateway, identity's contact lookup, the notifications queue and its consumer.
import { BENCH_ADMIN, BENCH_USER } from './stack.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function adminToken(gatewayUrl) {
  const res = await fetch(new URL('/auth/login', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_ADMIN.email, password: BENCH_ADMIN.password }),
  });
  if (res.status !== 200) throw new Error(`bench admin sign-in answered ${res.status}: ${await res.text()}`);
  return (await res.json()).accessToken;
}

/**
 * A product template of this run's own, as an admin publishes one: identity's templates are not for the public send
 * route (they carry one-time links), so the fan-out measures the path an application's own notifications take.
 */
async function publishTemplate(gatewayUrl, token, channels) {
  const key = `bench.fan-out-${Date.now().toString(36)}`;
  const res = await fetch(new URL('/api/v1/notifications/templates', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      key,
      channels,
      category: 'product',
      subject: 'Your {{item}} is ready',
      text: 'Your {{item}} was prepared at {{at}}.',
      html: '<p>Your <b>{{item}}</b> was prepared at {{at}}.</p>',
    }),
  });
  if (res.status !== 201) throw new Error(`publishing the bench template answered ${res.status}: ${await res.text()}`);
  return key;
}

/**
 * Sends `messages` notifications to the bench user over `channels` (each one delivery per channel), `concurrency`
 * requests at a time, then waits until every delivery has left the queue. Resolves to the accept rate of the send
 * API, the end-to-end delivery rate and the send-to-delivery latency percentiles (from each row's created_at to its
 * sent_at).
 */
export async function measureFanout({ gatewayUrl, miniflare, messages, concurrency, channels, timeoutMs = 120_000 }) {
  const token = await adminToken(gatewayUrl);
  const template = await publishTemplate(gatewayUrl, token, channels);
  const db = await miniflare.getD1Database('DB', 'onasis-notifications');
  const run = `bench-${Date.now().toString(36)}`;
  const expected = messages * channels.length;
  const problems = [];
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    for (let i = next++; i < messages; i = next++) {
      const res = await fetch(new URL('/api/v1/notifications/send', gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          to: BENCH_USER.id,
          template,
          channels,
          data: { item: `Bench item ${i}`, at: new Date().toISOString() },
          idempotencyKey: `${run}-${i}`,
        }),
      });
      if (res.status >= 300) problems.push(`fan-out send ${i}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const sentAfterMs = performance.now() - started;

  const count = async (where) =>
    (
      await db
        .prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE request_key LIKE ? AND ${where}`)
        .bind(`${run}-%`)
        .first()
    ).n;
  const deadline = Date.now() + timeoutMs;
  let done = await count("status NOT IN ('queued', 'sending')");
  while (done < expected && Date.now() < deadline) {
    await sleep(50);
    done = await count("status NOT IN ('queued', 'sending')");
  }
  const deliveredAfterMs = performance.now() - started;
  if (done < expected) problems.push(`fan-out: ${done} of ${expected} deliveries finished within ${timeoutMs} ms`);
  const failed = await count("status NOT IN ('queued', 'sending', 'sent', 'delivered')");
  if (failed > 0) problems.push(`fan-out: ${failed} deliveries failed`);

  const { results } = await db
    .prepare(
      `SELECT (julianday(sent_at) - julianday(created_at)) * 86400000.0 AS ms FROM deliveries
       WHERE request_key LIKE ? AND sent_at IS NOT NULL`,
    )
    .bind(`${run}-%`)
    .all();
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    messages,
    channels,
    concurrency,
    deliveries: done,
    sendsPerSec: (messages / sentAfterMs) * 1000,
    deliveriesPerSec: (done / deliveredAfterMs) * 1000,
    messagesPerSec: (messages / deliveredAfterMs) * 1000,
    totalMs: deliveredAfterMs,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    problems,
  };
}
