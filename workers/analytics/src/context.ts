/** Hono environment of the analytics Worker. */
export type AppEnv = { Bindings: AnalyticsEnv };
