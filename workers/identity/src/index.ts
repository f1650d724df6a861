import { app } from './app.js';
import { runMaintenance } from './services/maintenance.js';

export { AuditChain } from './durable-objects/audit-chain.js';
export { UserSessions } from './durable-objects/user-sessions.js';
export { IdentityService } from './rpc.js';

export default {
  fetch: app.fetch,
  // Until the jobs Worker drives the platform's schedules, identity runs its own housekeeping.
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      runMaintenance(env).then((report) =>
        console.log(JSON.stringify({ level: 'info', msg: 'identity maintenance', ...report })),
      ),
    );
  },
} satisfies ExportedHandler<IdentityEnv>;
