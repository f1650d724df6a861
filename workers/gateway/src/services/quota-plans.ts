/** The plan a principal without one is on, and the plan whose limit an unknown plan name gets. */
const DEFAULT_PLAN = 'free';

/**
 * Monthly request limits by plan; `null` is unlimited. Used when `QUOTA_PLANS` is unset or not valid. `unlimited`
 * is no product: it is the operators' own plan (the seeded local admin), kept apart from `enterprise` so that what a
 * customer is sold can change without touching it.
 */
export const DEFAULT_QUOTA_PLANS: ReadonlyMap<string, number | null> = new Map([
  ['free', 10_000],
  ['pro', 1_000_000],
  ['enterprise', null],
  ['unlimited', null],
]);

/**
 * Parses `QUOTA_PLANS`, a JSON object of plan name to monthly request limit (a non-negative integer, or null for
 * unlimited). Anything else is a configuration mistake: the defaults apply and `onInvalid` hears why, so that a typo
 * neither lifts every limit nor turns every request into an error.
 */
export function parseQuotaPlans(
  raw: string | undefined,
  onInvalid: (reason: string) => void = () => {},
): ReadonlyMap<string, number | null> {
  if (raw === undefined || raw.trim() === '') return DEFAULT_QUOTA_PLANS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    onInvalid('QUOTA_PLANS is not JSON');
    return DEFAULT_QUOTA_PLANS;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    onInvalid('QUOTA_PLANS is not a JSON object');
    return DEFAULT_QUOTA_PLANS;
  }
  const plans = new Map<string, number | null>();
  for (const [plan, limit] of Object.entries(parsed)) {
    if (limit !== null && !(Number.isSafeInteger(limit) && (limit as number) >= 0)) {
      onInvalid(`QUOTA_PLANS.${plan} is neither a non-negative integer nor null`);
      return DEFAULT_QUOTA_PLANS;
    }
    plans.set(plan, limit as number | null);
  }
  if (!plans.has(DEFAULT_PLAN)) {
    onInvalid(`QUOTA_PLANS has no "${DEFAULT_PLAN}" plan`);
    return DEFAULT_QUOTA_PLANS;
  }
  return plans;
}

/**
 * The monthly limit of `plan`. A plan the table does not name gets the default plan's limit: a plan added in
 * billing before the gateway's config knows it should not be unlimited.
 */
export function quotaLimitOf(plans: ReadonlyMap<string, number | null>, plan: string | undefined): number | null {
  const limit = plans.get(plan ?? DEFAULT_PLAN);
  return limit !== undefined ? limit : (plans.get(DEFAULT_PLAN) ?? null);
}

/** A quota period: one UTC calendar month. */
export interface QuotaPeriod {
  /** `YYYY-MM`, the counter's key. */
  month: string;
  /** Start of the next month, in ms since the epoch: when the count starts again. */
  resetsAt: number;
  /** `resetsAt` as ISO 8601, for headers and messages. */
  resetIso: string;
}

let lastPeriod: (QuotaPeriod & { startsAt: number }) | undefined;

/** The UTC calendar month `now` falls in; remembered, since it changes once a month and is asked on every request. */
export function quotaPeriodAt(now: number): QuotaPeriod {
  if (lastPeriod && now >= lastPeriod.startsAt && now < lastPeriod.resetsAt) return lastPeriod;
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  lastPeriod = {
    month: `${year}-${String(month + 1).padStart(2, '0')}`,
    startsAt: Date.UTC(year, month, 1),
    resetsAt: Date.UTC(year, month + 1, 1),
    resetIso: new Date(Date.UTC(year, month + 1, 1)).toISOString(),
  };
  return lastPeriod;
}
