import type { SendOutcome } from './types.js';

/** Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), or undefined when absent/unusable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The outcome of a failed HTTP answer: 429 and 5xx are worth retrying (honouring `Retry-After`), any other status
 * is a permanent refusal that retrying would only repeat. `reason` is the provider's own explanation.
 */
export function failedOutcome(provider: string, status: number, reason: string, headers?: Headers): SendOutcome {
  const retryable = status === 429 || status >= 500;
  const wait = retryAfterSeconds(headers?.get('retry-after'));
  return {
    ok: false,
    permanent: !retryable,
    error: `${provider} ${status} ${reason}`.trim(),
    ...(retryable && wait !== undefined && { retryAfterSeconds: wait }),
  };
}

/** A request that never got an answer (DNS, TCP, TLS, timeout): the provider may be fine a moment later. */
export function networkOutcome(provider: string, err: unknown): SendOutcome {
  return { ok: false, permanent: false, error: `${provider} network error: ${String(err)}` };
}

/**
 * Longest wait for a provider's answer. A provider that hangs would otherwise hold the consumer until the platform
 * ends the invocation, past the delivery's claim, so that a second attempt could send while the first still waits;
 * past this the attempt is a retryable network error instead.
 */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** Every provider's configuration may shorten the wait for its answers (tests) or lengthen it. */
export interface ProviderTimeout {
  /** Longest wait for the provider's answer, in ms (default PROVIDER_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * `fetch` with the provider timeout that turns a thrown network failure (or the timeout) into a value, so that
 * providers never throw for transport errors.
 */
export async function tryFetch(
  input: string,
  init: RequestInit,
  timeoutMs = PROVIDER_TIMEOUT_MS,
): Promise<Response | { networkError: unknown }> {
  try {
    return await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { networkError: err };
  }
}

/** The body of an error answer as text, bounded so that a huge HTML error page does not end up in the log. */
export async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** A message of another channel handed to a provider: a wiring bug that no retry fixes. */
export function wrongChannel(provider: string, channel: string): SendOutcome {
  return { ok: false, permanent: true, error: `${provider} cannot send ${channel} messages` };
}
