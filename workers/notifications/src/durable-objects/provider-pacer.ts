import { DurableObject } from 'cloudflare:workers';

/** A send slot: when it starts (epoch ms) and how long the caller waits for it; `reserved: false` when too far. */
export interface PacerSlot {
  reserved: boolean;
  at: number;
  waitMs: number;
}

/**
 * Hands out send slots for one provider (one instance per provider name) at its declared rate, so that a burst of
 * deliveries is spread out instead of answered with 429s. A DO is single-threaded, so two consumers never get the
 * same slot. A slot further away than `maxWaitMs` is not taken: the caller re-queues its message for later rather
 * than holding a queue consumer idle, and nothing is reserved for it meanwhile.
 */
export class ProviderPacer extends DurableObject<NotificationsEnv> {
  /** Earliest start of the next free slot; in memory only, since losing it on eviction merely allows one early send. */
  private nextFree = 0;

  reserve(ratePerSecond: number, maxWaitMs = 3000, now = Date.now()): PacerSlot {
    const spacing = 1000 / Math.max(ratePerSecond, 0.001);
    const at = Math.max(now, this.nextFree);
    const waitMs = at - now;
    if (waitMs > maxWaitMs) return { reserved: false, at, waitMs };
    this.nextFree = at + spacing;
    return { reserved: true, at, waitMs };
  }
}
