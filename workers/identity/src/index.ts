import { app } from './app.js';

export { AuditChain } from './durable-objects/audit-chain.js';
export { UserSessions } from './durable-objects/user-sessions.js';
export { IdentityService } from './rpc.js';

// No cron of its own: the jobs Worker's `identity-maintenance` schedule calls `IdentityService.runJob`.
export default { fetch: app.fetch } satisfies ExportedHandler<IdentityEnv>;
