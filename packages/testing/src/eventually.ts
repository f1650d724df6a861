/**
 * Polls `probe` until it answers something truthy, and answers that: queue deliveries and `waitUntil` work land
 * asynchronously. Past `timeoutMs` it throws, with `failure()` (e.g. what was seen instead) when given.
 */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; failure?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 100, failure = () => 'condition not met in time' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
