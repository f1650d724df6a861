import { app } from './app.js';

export { FilesService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<FilesEnv>;
