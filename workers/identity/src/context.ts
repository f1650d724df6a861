/** Hono environment of the identity Worker. */
export type AppEnv = { Bindings: IdentityEnv };
