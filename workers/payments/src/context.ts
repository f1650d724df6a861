/** Hono environment of the payments Worker. */
export type AppEnv = { Bindings: PaymentsEnv };
