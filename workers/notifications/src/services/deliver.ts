import type { Channel } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import { providersFor } from '../providers/index.js';
import type { ChannelProviders, Provider, PushTarget, SendOutcome } from '../providers/types.js';
import { type DeliveryRow, ERASE_IF_SECURITY } from './deliveries.js';
import { isoNow } from './ids.js';
import { outgoing, pushTargetOf } from './outgoing.js';

/** How long a claimed delivery stays claimed; after that a crashed attempt's delivery may be tried again. */
export const LEASE_SECONDS = 300;
/** A pacing slot this close is waited for; a later one re-queues the message instead of idling the consumer. */
export const MAX_PACING_WAIT_MS = 3000;

/** What the queue consumer does with the message of one delivery. */
export type DeliverAction =
  | { action: 'ack' }
  /** A failure: `message.retry`, which counts against the queue's max_retries. */
  | { action: 'retry'; delaySeconds: number }
  /** Pacing: send a fresh message for later and ack this one, so waiting for a slot never counts as a failure. */
  | { action: 'defer'; delaySeconds: number };

/** What `deliver` can be handed instead of the real configuration and clock (tests). */
export interface DeliverDeps {
  providers?: (channel: Channel, env: NotificationsEnv, target?: PushTarget) => ChannelProviders;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Back-off after the n-th failed attempt: 10 s, 20 s, 40 s, … up to an hour. */
export function backoffSeconds(attempt: number): number {
  return Math.min(3600, 10 * 2 ** Math.max(0, attempt - 1));
}

type Paced = { ok: true } | { ok: false; delayMs: number };

async function pace(env: NotificationsEnv, provider: Provider, deps: Required<DeliverDeps>): Promise<Paced> {
  if (!provider.ratePerSecond) return { ok: true };
  const pacer = env.PROVIDER_PACER.get(env.PROVIDER_PACER.idFromName(provider.name));
  const slot = await pacer.reserve(provider.ratePerSecond, MAX_PACING_WAIT_MS, deps.now());
  if (!slot.reserved) return { ok: false, delayMs: slot.waitMs };
  if (slot.waitMs > 0) await deps.sleep(slot.waitMs);
  return { ok: true };
}

/**
 * Claims a queued delivery (or one whose claim expired), so that of two copies of its message only one sends.
 * Null when there is nothing to do; `busy` with the seconds left when another attempt holds a live claim.
 */
async function claim(db: D1Database, id: string, now: number): Promise<DeliveryRow | { busySeconds: number } | null> {
  const row = await db
    .prepare(
      `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_until = ?, updated_at = ?
       WHERE id = ? AND (status = 'queued' OR (status = 'sending' AND lease_until < ?)) RETURNING *`,
    )
    .bind(isoNow(now + LEASE_SECONDS * 1000), isoNow(now), id, isoNow(now))
    .first<DeliveryRow>();
  if (row) return row;
  const current = await db
    .prepare('SELECT status, lease_until FROM deliveries WHERE id = ?')
    .bind(id)
    .first<{ status: string; lease_until: string | null }>();
  if (current?.status === 'sending' && current.lease_until) {
    return { busySeconds: Math.max(1, Math.ceil((Date.parse(current.lease_until) - now) / 1000)) };
  }
  return null;
}

async function finish(db: D1Database, id: string, now: number, sets: string, args: unknown[]): Promise<void> {
  await db
    .prepare(`UPDATE deliveries SET ${sets}, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'sending'`)
    .bind(...args, isoNow(now), id)
    .run();
}

/**
 * Sends one delivery. Duplicate message: the claim fails and it is acked. Crash mid-send: the claim's lease expires
 * and the redelivered message sends again (a provider that deduplicates by `idempotencyKey` absorbs the repeat).
 * Provider failure: a retryable one tries the fallback; then a permanent failure is final, a retryable one goes back to `queued`
 * and the message is retried with back-off (or when the provider asked).
 */
export async function deliver(
  env: NotificationsEnv,
  deliveryId: string,
  deps: DeliverDeps = {},
): Promise<DeliverAction> {
  const d: Required<DeliverDeps> = {
    providers: deps.providers ?? providersFor,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
  };
  const db = env.DB;
  const claimed = await claim(db, deliveryId, d.now());
  if (claimed === null) return { action: 'ack' };
  if ('busySeconds' in claimed) return { action: 'retry', delaySeconds: claimed.busySeconds };
  const row = claimed;

  if (row.channel === 'inapp') {
    // The inbox row is keyed by the delivery, so a repeated attempt adds no second item.
    await db.batch([
      db
        .prepare(
          `INSERT INTO inbox_items (id, user_id, delivery_id, template, category, title, body) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (delivery_id) DO NOTHING`,
        )
        .bind(
          newId('inb'),
          row.recipient,
          row.id,
          row.template,
          row.category ?? 'product',
          row.subject ?? '',
          row.body_text ?? '',
        ),
      db
        .prepare(
          `UPDATE deliveries SET status = 'sent', provider = 'inapp', sent_at = ?, lease_until = NULL, updated_at = ?,
             ${ERASE_IF_SECURITY}, subject = NULL, body_text = NULL, body_html = NULL WHERE id = ?`,
        )
        .bind(isoNow(d.now()), isoNow(d.now()), row.id),
    ]);
    return { action: 'ack' };
  }

  const target = await pushTargetOf(db, row);
  const message = outgoing(env, row, target);
  if (!message) {
    const why = row.channel === 'push' ? 'the push target was removed' : 'the recipient has no address';
    await finish(db, row.id, d.now(), `status = ?, error = ?, ${ERASE_IF_SECURITY}`, ['failed', why]);
    return { action: 'ack' };
  }
  const { primary, fallback } = d.providers(row.channel as Channel, env, target);
  const paced = await pace(env, primary, d);
  if (!paced.ok) {
    await finish(db, row.id, d.now(), "status = 'queued', attempts = attempts - 1", []);
    return { action: 'defer', delaySeconds: Math.max(1, Math.ceil(paced.delayMs / 1000)) };
  }
  let used = primary;
  let outcome: SendOutcome = await primary.send(message);
  // Only an outage of the primary (5xx, 429, network) moves to the fallback: a refusal (an invalid address, say)
  // would be refused by any provider, and a sandbox fallback would hide it as "sent".
  if (!outcome.ok && !outcome.permanent && fallback) {
    const fallbackPaced = await pace(env, fallback, d);
    if (fallbackPaced.ok) {
      used = fallback;
      outcome = await fallback.send(message);
    }
  }
  const now = d.now();
  if (outcome.ok) {
    // Rendered bodies hold one-time links: only the local sandbox, which sends nothing, keeps them, as a mail catcher.
    const clear =
      used.name === 'sandbox' && env.ENVIRONMENT === 'local'
        ? ''
        : ', subject = NULL, body_text = NULL, body_html = NULL, data = NULL, headers = NULL';
    await finish(
      db,
      row.id,
      now,
      `status = 'sent', provider = ?, provider_message_id = ?, sent_at = ?, error = NULL${clear}`,
      [used.name, outcome.providerMessageId, isoNow(now)],
    );
    return { action: 'ack' };
  }
  if (outcome.gone && row.push_target_id) {
    await db.prepare('DELETE FROM push_targets WHERE id = ?').bind(row.push_target_id).run();
  }
  if (outcome.permanent || outcome.gone) {
    await finish(db, row.id, now, `status = 'failed', provider = ?, error = ?, ${ERASE_IF_SECURITY}`, [
      used.name,
      outcome.error,
    ]);
    return { action: 'ack' };
  }
  // Queues delay a message by at most 12 hours.
  const delaySeconds = Math.min(12 * 3600, outcome.retryAfterSeconds ?? backoffSeconds(row.attempts));
  // `lease_until` of a queued row is when its retry is due, so that maintenance does not take it for stranded.
  await db
    .prepare(
      `UPDATE deliveries SET status = 'queued', provider = ?, error = ?, lease_until = ?, updated_at = ?
       WHERE id = ? AND status = 'sending'`,
    )
    .bind(used.name, outcome.error, isoNow(now + delaySeconds * 1000), isoNow(now), row.id)
    .run();
  return { action: 'retry', delaySeconds };
}
