import { app } from './app.js';

export { UserSessions } from './durable-objects/user-sessions.js';
export { IdentityService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<IdentityEnv>;
