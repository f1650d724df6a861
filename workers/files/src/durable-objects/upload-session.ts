import { DurableObject } from 'cloudflare:workers';

/** One tus upload's state: offset, metadata and its R2 multipart upload. Not built yet. */
export class UploadSession extends DurableObject<FilesEnv> {}
