/** How calls are retried: only 429 and 503, which promise that the same request may work later. */
export interface RetryOptions {
  /** Further attempts after the first; 0 turns retries off. Default 2. */
  retries?: number;
  /** First back-off when the answer names no `Retry-After`, doubled per attempt with jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest wait the client accepts; a later `Retry-After` ends the retries. Default 30 s. */
  maxDelayMs?: number;
}

/** The statuses that say "the same request may work later"; every other one is final. */
export const RETRYABLE_STATUS = new Set([429, 503]);

/** The retry settings when the caller names none. */
export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 2, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * The wait before attempt `attempt + 1` (0-based), or null to stop: `Retry-After` (seconds or an HTTP date) when
 * the server names it, exponential back-off with full jitter otherwise.
 */
export function retryDelay(
  response: Response,
  attempt: number,
  options: Required<RetryOptions>,
  now = Date.now(),
): number | null {
  if (attempt >= options.retries || !RETRYABLE_STATUS.has(response.status)) return null;
  const header = response.headers.get('retry-after')?.trim();
  if (header) {
    const ms = /^\d+$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
    // An unreadable value is treated as absent rather than as "never".
    if (Number.isNaN(ms)) return backoff(attempt, options);
    const wait = Math.max(0, ms);
    return wait > options.maxDelayMs ? null : wait;
  }
  return backoff(attempt, options);
}

function backoff(attempt: number, options: Required<RetryOptions>): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/** Waits `ms`, or rejects with the signal's reason as soon as the caller aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
