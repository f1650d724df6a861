import { app } from './app.js';

export { PaymentsService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<PaymentsEnv>;
