import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';

/**
 * Circuit breakers in front of the service bindings, one per domain service and per isolate.
 *
 * Why per isolate: the breaker is consulted on every proxied request, and state held in this isolate costs no extra
 * hop. A platform-wide breaker would need a Durable Object call per request (a new single point of failure on the
 * hot path) or a shared view that lags behind by a flush interval. Each isolate also sees exactly the failures its
 * own calls suffer, which is what a breaker should react to. Cloudflare runs many isolates, so "the breaker opens"
 * means "it opens in each isolate that sees the failures"; an isolate that sees none keeps calling, which is also
 * what probes a partial outage.
 */

/** Where a breaker is: calls pass, calls are refused, or one probe may test the service. */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open a closed breaker. */
  consecutiveFailures: number;
  /** Length of the rolling window the error rate is measured over. */
  windowMs: number;
  /** Fewer calls than this in the window never open the breaker by rate, so that two failures in three do not. */
  minCallsInWindow: number;
  /** Failed share of the window's calls (0..1) that opens the breaker. */
  errorRate: number;
  /** How long an open breaker refuses calls before it lets one probe through. */
  cooldownMs: number;
  /** The clock; tests inject their own. */
  now: () => number;
}

const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = {
  consecutiveFailures: 5,
  windowMs: 10_000,
  minCallsInWindow: 20,
  errorRate: 0.5,
  cooldownMs: 10_000,
  now: () => Date.now(),
};

/** What `tryAcquire` grants: an ordinary call, the half-open probe, or nothing (answer 503 without calling). */
export type Permit = 'denied' | 'call' | 'probe';

// The window is kept as a ring of one-second-ish buckets: recording is two array writes, with no allocation.
const BUCKETS = 10;

export class CircuitBreaker {
  private readonly options: BreakerOptions;
  private readonly bucketMs: number;
  private readonly calls = new Uint32Array(BUCKETS);
  private readonly failures = new Uint32Array(BUCKETS);
  /** The bucket number (time / bucketMs) each slot currently counts; a slot from an older lap is stale. */
  private readonly slotOf = new Float64Array(BUCKETS).fill(-1);
  private consecutive = 0;
  private openedAt: number | undefined;
  /** When the half-open probe was let through; undefined while none is out. */
  private probeSince: number | undefined;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
    this.bucketMs = Math.max(1, Math.ceil(this.options.windowMs / BUCKETS));
  }

  /** The state as of now: an open breaker whose cool-down has passed is half-open. */
  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.options.now() - this.openedAt >= this.options.cooldownMs ? 'half_open' : 'open';
  }

  /** Asks to call the service. Half-open grants a single probe; everything else waits for its outcome. */
  tryAcquire(): Permit {
    if (this.openedAt === undefined) return 'call';
    const now = this.options.now();
    if (now - this.openedAt < this.options.cooldownMs) return 'denied';
    // A probe is bounded by the binding timeout, so one older than a cool-down was lost (its outcome never came
    // back); letting another through keeps the breaker from staying half-open for good.
    if (this.probeSince !== undefined && now - this.probeSince < this.options.cooldownMs) return 'denied';
    this.probeSince = now;
    return 'probe';
  }

  /** Whole seconds a refused caller should wait: until the cool-down ends, or 1 while a probe is out. */
  retryAfterSeconds(): number {
    if (this.openedAt === undefined) return 1;
    const left = this.openedAt + this.options.cooldownMs - this.options.now();
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** Reports how a granted call went; `failed` = it threw, timed out or answered 5xx. */
  record(permit: Permit, failed: boolean): void {
    if (permit === 'probe') {
      this.probeSince = undefined;
      if (failed) this.open();
      else this.close();
      return;
    }
    // Calls granted before the breaker opened may finish after; the probe alone decides what happens next.
    if (permit !== 'call' || this.openedAt !== undefined) return;
    const now = this.options.now();
    const bucket = Math.floor(now / this.bucketMs);
    const slot = bucket % BUCKETS;
    if (this.slotOf[slot] !== bucket) {
      this.slotOf[slot] = bucket;
      this.calls[slot] = 0;
      this.failures[slot] = 0;
    }
    this.calls[slot] = (this.calls[slot] ?? 0) + 1;
    if (!failed) {
      this.consecutive = 0;
      return;
    }
    this.failures[slot] = (this.failures[slot] ?? 0) + 1;
    this.consecutive += 1;
    if (this.consecutive >= this.options.consecutiveFailures || this.rateExceeded(bucket)) this.open();
  }

  private rateExceeded(bucket: number): boolean {
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.slotOf[i] ?? -1) <= bucket - BUCKETS) continue;
      calls += this.calls[i] ?? 0;
      failures += this.failures[i] ?? 0;
    }
    return calls >= this.options.minCallsInWindow && failures >= calls * this.options.errorRate;
  }

  private open(): void {
    this.openedAt = this.options.now();
    this.probeSince = undefined;
  }

  private close(): void {
    this.openedAt = undefined;
    this.consecutive = 0;
    // The failures that opened the breaker are history; counting them again would re-open it on the next error.
    this.slotOf.fill(-1);
  }
}

/** Gauge value of a state in `/metrics`: higher is worse, so the worst isolate wins when they are combined. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

let options: Partial<BreakerOptions> = {};
const breakers = new Map<ServiceName, CircuitBreaker>();

/** This isolate's breaker for `service`. */
export function breakerOf(service: ServiceName): CircuitBreaker {
  let breaker = breakers.get(service);
  if (!breaker) {
    breaker = new CircuitBreaker(options);
    breakers.set(service, breaker);
  }
  return breaker;
}

/** Every service's breaker state in this isolate (a service never called is closed). */
export function breakerStates(): Record<ServiceName, BreakerState> {
  const states = {} as Record<ServiceName, BreakerState>;
  for (const name of SERVICE_NAMES) states[name] = breakers.get(name)?.state ?? 'closed';
  return states;
}

/** Replaces the settings and starts every breaker afresh (tests: injected clock, short cool-down). */
export function configureBreakers(next: Partial<BreakerOptions> = {}): void {
  options = next;
  breakers.clear();
}
