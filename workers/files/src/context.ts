/** Hono environment of the files Worker. */
export type AppEnv = { Bindings: FilesEnv };
