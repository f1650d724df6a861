// Signed Stripe webhooks to applied ledger entries: how many `payment_intent.succeeded` deliveries per second the
// gateway acknowledges, and how many per second end as an applied event with its capture in the ledger (the
// payments queue and its consumer included).
import { BENCH_USER } from './stack.mjs';
import { succeededDelivery } from './stripe-events.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Payments waiting for their bank, as a Stripe PaymentIntent in `processing` is: each event settles one. */
async function seedPayments(db, run, count) {
  const statements = [];
  for (let i = 0; i < count; i++) {
    statements.push(
      db
        .prepare(
          `INSERT INTO payment_intents (id, user_id, provider, provider_intent_id, status, amount, currency, capture_method)
           VALUES (?, ?, 'stripe', ?, 'processing', 1000, 'usd', 'automatic')`,
        )
        .bind(`pay_${run}_${i}`, BENCH_USER.id, `pi_${run}_${i}`),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
}

/**
 * Seeds `events` processing payments, delivers one signed `payment_intent.succeeded` for each through the gateway,
 * `concurrency` at a time, and waits until every one is applied with its ledger capture. Every delivery must be
 * acknowledged with a 2xx and every ledger transaction must balance; anything else is reported as a problem.
 */
export async function measureWebhookLedger({ gatewayUrl, miniflare, events, concurrency, timeoutMs = 180_000 }) {
  const db = await miniflare.getD1Database('DB', 'onasis-payments');
  const run = `bench${Date.now().toString(36)}`;
  await seedPayments(db, run, events);
  const deliveries = Array.from({ length: events }, (_, i) => succeededDelivery(`pi_${run}_${i}`, 1000));
  const problems = [];
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    for (let i = next++; i < events; i = next++) {
      const res = await fetch(new URL('/webhooks/stripe', gatewayUrl), { method: 'POST', ...deliveries[i] });
      if (res.status >= 300) problems.push(`webhook ${i}: ${res.status} ${(await res.text()).slice(0, 200)}`);
      else await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const ackedAfterMs = performance.now() - started;

  const applied = async () =>
    (
      await db
        .prepare(`SELECT COUNT(*) AS n FROM ledger_transactions WHERE kind = 'capture' AND payment_id LIKE ?`)
        .bind(`pay_${run}_%`)
        .first()
    ).n;
  const deadline = Date.now() + timeoutMs;
  let done = await applied();
  while (done < events && Date.now() < deadline) {
    await sleep(50);
    done = await applied();
  }
  const appliedAfterMs = performance.now() - started;
  if (done < events) problems.push(`webhooks: ${done} of ${events} captures in the ledger within ${timeoutMs} ms`);
  const unbalanced = await db
    .prepare(
      `SELECT COUNT(*) AS n FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency
       HAVING SUM(amount) <> 0)`,
    )
    .first();
  if (unbalanced.n > 0) problems.push(`webhooks: ${unbalanced.n} unbalanced ledger transactions`);

  const { results } = await db
    .prepare(
      `SELECT (julianday(e.processed_at) - julianday(e.received_at)) * 86400000.0 AS ms FROM provider_events e
       WHERE e.type = 'payment_intent.succeeded' AND e.status = 'applied' AND e.processed_at IS NOT NULL
       AND json_extract(e.payload, '$.intent.providerId') LIKE ?`,
    )
    .bind(`pi_${run}_%`)
    .all();
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    events,
    concurrency,
    applied: done,
    acksPerSec: (events / ackedAfterMs) * 1000,
    appliedPerSec: (done / appliedAfterMs) * 1000,
    totalMs: appliedAfterMs,
    applyLatencyP50Ms: percentile(latencies, 50),
    applyLatencyP99Ms: percentile(latencies, 99),
    problems,
  };
}
