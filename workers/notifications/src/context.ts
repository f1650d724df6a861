/** Hono environment of the notifications Worker. */
export type AppEnv = { Bindings: NotificationsEnv };
