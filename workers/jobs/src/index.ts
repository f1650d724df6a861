import { app } from './app.js';

export { JobsService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<JobsEnv>;
