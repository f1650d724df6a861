/**
 * Seconds before retry number `failedAttempt` + 1: exponential (`base · 2^(n-1)`, at most `cap`) with EQUAL jitter,
 * half fixed and half random. The fixed half of one step is the whole of the step before, so successive delays
 * never shrink until the cap, while the random half still spreads a burst of failures apart.
 */
export function backoffSeconds(
  failedAttempt: number,
  baseSeconds: number,
  capSeconds: number,
  random = Math.random(),
): number {
  const exp = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, failedAttempt - 1));
  return Math.max(1, Math.ceil(exp / 2 + (random * exp) / 2));
}
