import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { toFileView } from '../services/file-view.js';
import { ingest } from '../services/ingest.js';
import { ownerOf } from '../services/owner.js';
import { readUploadRequest, requireName } from '../services/upload-request.js';
import { problems } from './problems.js';
import { FileSchema } from './schemas.js';
import { uploadBody } from './upload-body.js';

const uploadRoute = createRoute({
  method: 'post',
  path: '/',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Upload a file',
  description:
    'The raw body (`Content-Type` its declared type, the name in `?name=` or a percent-encoded `X-File-Name`, the folder in `?folder=`) or `multipart/form-data` (the first file part; a `folder` field before it). The body streams to storage while its SHA-256 is computed; its first bytes decide the type. A retry of the same bytes to the same name answers 200 with the file stored the first time. Needs `files:write`.',
  request: {
    query: z.object({ name: z.string().optional(), folder: z.string().optional() }),
    body: uploadBody,
  },
  responses: {
    201: { ...jsonResponse(FileSchema, 'The stored file'), headers: { Location: { schema: { type: 'string' } } } },
    200: jsonResponse(FileSchema, 'The same bytes were already stored under this name: that file'),
    ...problems(400, 401, 403, 409, 413, 415),
  },
});

/** `POST /api/v1/files`: streamed uploads, raw or multipart. */
export const uploadRoutes = resourceApp<AppEnv>();

uploadRoutes.openapi(uploadRoute, async (c) => {
  const caller = requirePrincipal(c);
  const body = c.req.raw.body;
  try {
    const owner = await ownerOf(dbOf(c.env.DB), caller);
    const upload = await readUploadRequest(c.req.raw);
    const { file, created } = await ingest(c.env, c.executionCtx as ExecutionContext, {
      owner,
      name: requireName(upload.name),
      folder: upload.folder,
      declaredType: upload.declaredType,
      declaredSize: upload.declaredSize,
      body: upload.body,
    });
    const location = `/api/v1/files/${file.id}`;
    return created ? c.json(toFileView(file), 201, { Location: location }) : c.json(toFileView(file), 200);
  } catch (err) {
    // An unread body keeps the forwarded stream open: whatever refused the upload, the rest of it is dropped.
    await body?.cancel().catch(() => {});
    throw err;
  }
});
