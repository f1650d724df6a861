import { backoffSeconds, type Channel, newId } from '@onasis/contracts';
import { and, eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { deliveries, inboxItems, pushTargets } from '../db/schema.js';
import { providersFor } from '../providers/index.js';
import type { ChannelProviders, Provider, PushTarget, SendOutcome } from '../providers/types.js';
import { ERASE_IF_SECURITY } from './deliveries.js';
import { claimDelivery, finishAttempt } from './delivery-claim.js';
import { isoNow } from './iso-time.js';
import { outgoing, pushTargetOf } from './outgoing.js';

/** A pacing slot this close is waited for; a later one re-queues the message instead of idling the consumer. */
const MAX_PACING_WAIT_MS = 3000;
/** Back-off after a failed attempt: 10 s, 20 s, 40 s, … up to an hour, with equal jitter. */
const RETRY_BASE_SECONDS = 10;
const RETRY_CAP_SECONDS = 3600;

/** What the queue consumer does with the message of one delivery. */
type DeliverAction =
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

/** Seconds before the retry of a message whose `failedAttempt`-th attempt failed. */
export const retryDelaySeconds = (failedAttempt: number) =>
  backoffSeconds(failedAttempt, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS);

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
  const db = dbOf(env.DB);
  const claimed = await claimDelivery(db, deliveryId, d.now());
  if (claimed === null) return { action: 'ack' };
  if ('busySeconds' in claimed) return { action: 'retry', delaySeconds: claimed.busySeconds };
  const row = claimed;

  if (row.channel === 'inapp') {
    // The inbox row is keyed by the delivery, so a repeated attempt adds no second item.
    await db.batch([
      db
        .insert(inboxItems)
        .values({
          id: newId('inb'),
          userId: row.recipient,
          deliveryId: row.id,
          template: row.template,
          category: row.category ?? 'product',
          title: row.subject ?? '',
          body: row.bodyText ?? '',
        })
        .onConflictDoNothing({ target: inboxItems.deliveryId }),
      db
        .update(deliveries)
        .set({
          status: 'sent',
          provider: 'inapp',
          sentAt: isoNow(d.now()),
          leaseUntil: null,
          updatedAt: isoNow(d.now()),
          ...ERASE_IF_SECURITY,
          subject: null,
          bodyText: null,
          bodyHtml: null,
        })
        .where(eq(deliveries.id, row.id)),
    ]);
    return { action: 'ack' };
  }

  const target = await pushTargetOf(db, row);
  const message = outgoing(env, row, target);
  if (!message) {
    const why = row.channel === 'push' ? 'the push target was removed' : 'the recipient has no address';
    await finishAttempt(db, row.id, d.now(), { status: 'failed', error: why, ...ERASE_IF_SECURITY });
    return { action: 'ack' };
  }
  const { primary, fallback } = d.providers(row.channel, env, target);
  const paced = await pace(env, primary, d);
  if (!paced.ok) {
    await finishAttempt(db, row.id, d.now(), { status: 'queued', attempts: sql`${deliveries.attempts} - 1` });
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
        ? {}
        : { subject: null, bodyText: null, bodyHtml: null, data: null, headers: null };
    await finishAttempt(db, row.id, now, {
      status: 'sent',
      provider: used.name,
      providerMessageId: outcome.providerMessageId,
      sentAt: isoNow(now),
      error: null,
      ...clear,
    });
    return { action: 'ack' };
  }
  if (outcome.gone && row.pushTargetId) {
    await db.delete(pushTargets).where(eq(pushTargets.id, row.pushTargetId));
  }
  if (outcome.permanent || outcome.gone) {
    await finishAttempt(db, row.id, now, {
      status: 'failed',
      provider: used.name,
      error: outcome.error,
      ...ERASE_IF_SECURITY,
    });
    return { action: 'ack' };
  }
  // Queues delay a message by at most 12 hours.
  const delaySeconds = Math.min(12 * 3600, outcome.retryAfterSeconds ?? retryDelaySeconds(row.attempts));
  // `lease_until` of a queued row is when its retry is due, so that maintenance does not take it for stranded.
  await db
    .update(deliveries)
    .set({
      status: 'queued',
      provider: used.name,
      error: outcome.error,
      leaseUntil: isoNow(now + delaySeconds * 1000),
      updatedAt: isoNow(now),
    })
    .where(and(eq(deliveries.id, row.id), eq(deliveries.status, 'sending')));
  return { action: 'retry', delaySeconds };
}
