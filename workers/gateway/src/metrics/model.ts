/** Upper bounds, in seconds, of the request-duration histogram buckets (`+Inf` is implied). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Counts one isolate gathered since its last flush; plain data so it crosses RPC as is. */
export interface MetricsDelta {
  isolateId: string;
  /** Requests in flight in that isolate at flush time. */
  inFlight: number;
  /** `[method, route, status, count]` */
  requests: [string, string, number, number][];
  /** Per `[method, route]`: non-cumulative bucket counts (one per bound, then +Inf), sum of seconds, count. */
  durations: { method: string; route: string; buckets: number[]; sum: number; count: number }[];
  /** `[service, count]` */
  upstreamErrors: [string, number][];
  /** `[service, count]` of calls repeated after a failed attempt. Optional: isolates of an older build omit it. */
  upstreamRetries?: [string, number][];
  /** `[service, state]` of this isolate's breakers at flush time: 0 closed, 1 half-open, 2 open. Optional as above. */
  breakers?: [string, number][];
  /** Response-cache lookups that answered from the cache, and cacheable answers fetched and stored. Optional as above. */
  cache?: { hits: number; misses: number };
}
