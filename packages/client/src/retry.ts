/** How calls are retried: only 429 and 503, which promise that the same request may work later. */
export interface RetryOptions {
  /** Further attempts after the first; 0 turns retries off. Default 2. */
  retries?: number;
  /** First back-off when the answer names no `Retry-After`, doubled per attempt with jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest wait the client accepts; a later `Retry-After` ends the retries. Default 30 s. */
  maxDelayMs?: number;
}

export const RETRYABLE_STATUS = new Set([429, 503]);

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
  const header = response.headers.get('retry-after');
  if (header !== null) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
