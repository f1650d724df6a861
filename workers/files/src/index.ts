import { app } from './app.js';

export { UploadSession } from './durable-objects/upload-session.js';
export { FilesService } from './rpc.js';

export default { fetch: app.fetch } satisfies ExportedHandler<FilesEnv>;
