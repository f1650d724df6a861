/** Hono environment of the jobs Worker. */
export type AppEnv = { Bindings: JobsEnv };
