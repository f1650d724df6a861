import type { Db } from '../db/client.js';
import type { S3Caller } from './authenticate.js';

/** What every S3 operation gets: the request, its signer, and the Worker's bindings. */
export interface S3Call {
  env: FilesEnv;
  ctx: ExecutionContext;
  db: Db;
  request: Request;
  url: URL;
  caller: S3Caller;
  requestId: string;
}

/** S3's date format in headers (`Last-Modified`): RFC 7231's IMF-fixdate. */
export const httpDate = (iso: string) => new Date(iso).toUTCString();

/** S3's date format in XML documents: ISO 8601 with milliseconds. */
export const xmlDate = (iso: string) => new Date(iso).toISOString();

/** The quoted ETag of content with this SHA-256. */
export const etagOf = (sha256: string) => `"${sha256}"`;
