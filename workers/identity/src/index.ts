import { app } from './app.js';

export { IdentityService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<IdentityEnv>;
