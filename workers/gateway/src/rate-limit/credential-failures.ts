import { AppError } from '@onasis/http';
import { hit, type RateLimitEnv } from './backends.js';
import { clientAddress, matchPolicy, type Policy, policiesOf } from './policies.js';

/** Sources this isolate knows to be over their failure limit, and until when; the oldest is dropped beyond this. */
const BLOCKED_SOURCES_MAX_ENTRIES = 10_000;
const blocked = new Map<string, number>();

/** Where failed credential checks of one request are counted: the policy and the source's limiter key. */
export interface FailureCounter {
  policy: Policy;
  key: string;
}

/** The failure policy that covers a request, with its source's key; undefined when none does (limits off). */
export function failureCounterOf(
  env: RateLimitEnv,
  method: string,
  path: string,
  clientIp: string | undefined,
): FailureCounter | undefined {
  const policy = matchPolicy(policiesOf(env), method, path, true);
  return policy === undefined ? undefined : { policy, key: `ip:${clientAddress(clientIp)}` };
}

function blockedFor(counter: FailureCounter): string {
  return `${counter.policy.id}:${counter.key}`;
}

function refusal(counter: FailureCounter, until: number, now: number): AppError {
  const retry = Math.max(1, Math.ceil((until - now) / 1000));
  return new AppError('RATE_LIMITED', `Too many failed credential checks from this network; retry in ${retry} s.`, {
    headers: {
      'retry-after': String(retry),
      'ratelimit-policy': counter.policy.policyHeader,
      ratelimit: `${counter.policy.stateHeaderStart}0;t=${retry}`,
    },
  });
}

/**
 * Throws the 429 for a source over its failure limit, before any of its credentials costs a signature check or a
 * call to identity. Answered from this isolate's memory: other isolates learn of the block at their first failure.
 */
export function refuseBlockedSource(counter: FailureCounter, now: number): void {
  const name = blockedFor(counter);
  const until = blocked.get(name);
  if (until === undefined) return;
  if (until <= now) {
    blocked.delete(name);
    return;
  }
  throw refusal(counter, until, now);
}

/**
 * Counts one failed credential check of the source. Once the limiter refuses the count, the source is blocked here
 * until the limiter would take a count again, and this failure already answers 429. A limiter that cannot answer
 * blocks nothing: the policy fails open, since refusing every credential would be an outage of its own.
 */
export async function countFailure(
  env: RateLimitEnv,
  counter: FailureCounter,
  background: Pick<ExecutionContext, 'waitUntil'>,
  now: number,
): Promise<void> {
  const decision = await hit(env, counter.policy, counter.key, background);
  if (decision === undefined || decision.allowed) return;
  const name = blockedFor(counter);
  blocked.delete(name);
  if (blocked.size >= BLOCKED_SOURCES_MAX_ENTRIES) {
    const oldest = blocked.keys().next();
    if (!oldest.done) blocked.delete(oldest.value);
  }
  blocked.set(name, decision.retryAtMs);
  throw refusal(counter, decision.retryAtMs, now);
}

/** Forgets every block this isolate holds (tests). */
export function resetBlockedSources(): void {
  blocked.clear();
}
