import { AppError } from '@onasis/http';
import { boundaryOf, firstFilePart } from './form-data-stream.js';

/** What an upload request says about its file, its body still unread. */
export interface UploadRequest {
  name: string | null;
  folder: string | null;
  declaredType: string | null;
  declaredSize: number | null;
  body: ReadableStream<Uint8Array>;
}

function fileNameHeader(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'X-File-Name is not percent-encoded UTF-8.', {
      errors: [{ path: 'header.x-file-name', message: 'Not percent-encoded UTF-8.' }],
    });
  }
}

/**
 * Reads an upload request without buffering its body: a `multipart/form-data` body gives its first file part (its
 * filename and type, and a `folder` field before it); any other body is the file itself, its type the request's
 * `Content-Type`, its name `?name=` or `X-File-Name` (percent-encoded UTF-8), its size `Content-Length`.
 */
export async function readUploadRequest(request: Request): Promise<UploadRequest> {
  const url = new URL(request.url);
  const contentType = request.headers.get('content-type');
  const folder = url.searchParams.get('folder');
  if (!request.body) {
    throw new AppError('VALIDATION_FAILED', 'The request has no body.', {
      errors: [{ path: 'body', message: 'The file is the body.' }],
    });
  }
  const boundary = boundaryOf(contentType);
  if (boundary !== null) {
    const part = await firstFilePart(request.body, boundary);
    return {
      name: url.searchParams.get('name') ?? part.filename,
      folder: folder ?? part.fields.folder ?? null,
      declaredType: part.contentType,
      declaredSize: null,
      body: part.body,
    };
  }
  const length = Number(request.headers.get('content-length') ?? Number.NaN);
  return {
    name: url.searchParams.get('name') ?? fileNameHeader(request.headers.get('x-file-name') ?? undefined),
    folder,
    declaredType: contentType,
    declaredSize: Number.isSafeInteger(length) && length >= 0 ? length : null,
    body: request.body,
  };
}

/** The name an upload must have; 400 when it has none. */
export function requireName(name: string | null): string {
  if (name === null) {
    throw new AppError('VALIDATION_FAILED', 'The file needs a name: ?name=, X-File-Name or a multipart filename.', {
      errors: [{ path: 'name', message: 'Required.' }],
    });
  }
  return name;
}
