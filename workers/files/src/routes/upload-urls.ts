import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { toFileView } from '../services/file-view.js';
import { ingest } from '../services/ingest.js';
import { ownerOf, storedOwner } from '../services/owner.js';
import { normaliseType } from '../services/sniff.js';
import { readUploadRequest, requireName } from '../services/upload-request.js';
import { claimUploadUrl, completeUploadUrl, createUploadUrl, releaseUploadUrl } from '../services/upload-urls.js';
import { problems } from './problems.js';
import { FileSchema } from './schemas.js';
import { uploadBody } from './upload-body.js';

const CreateUploadUrlSchema = z
  .object({
    name: z.string().min(1).max(1024).optional(),
    folder: z.string().max(1024).optional(),
    contentType: z.string().min(3).max(255).optional(),
    maxBytes: z.number().int().min(0).optional(),
    expiresIn: z.number().int().min(60).max(86_400).default(3600).openapi({ description: 'Seconds, 60 to 86,400.' }),
  })
  .strict()
  .openapi('CreateUploadUrl');

const UploadUrlSchema = z
  .object({
    id: z.string(),
    url: z.string().openapi({ description: 'Upload to it without a token: `PUT` the raw body, or `POST` multipart.' }),
    method: z.literal('PUT'),
    expiresAt: z.string(),
    maxBytes: z.number().int(),
  })
  .openapi('UploadUrl');

const UseParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
// Loose on purpose: a bad signature is a 403 the handler answers, after it has dropped the body.
const UseQuery = z.object({ signature: z.string().optional(), name: z.string().optional() });

const createUrlRoute = createRoute({
  method: 'post',
  path: '/',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Create an upload URL',
  description:
    'A URL that uploads one file for the caller, without a token, once, before it expires. `name`, `folder`, `contentType` and `maxBytes` (default and limit MAX_UPLOAD_BYTES) bind the upload. Needs `files:write`.',
  request: jsonBody(CreateUploadUrlSchema),
  responses: { 201: jsonResponse(UploadUrlSchema, 'The upload URL'), ...problems(400, 401, 403) },
});

const useDescription =
  'Uploads the file with a URL from `POST /api/v1/files/upload-urls`; no token. A changed signature is 403; an expired or used URL is 410. Two concurrent uses store one file. An upload refused by its checks leaves the URL usable. Public.';

const putRoute = createRoute({
  method: 'put',
  path: '/{id}',
  ...access('public'),
  tags: ['files'],
  summary: 'Upload with an upload URL (raw body)',
  description: useDescription,
  request: { params: UseParams, query: UseQuery, body: uploadBody },
  responses: {
    201: jsonResponse(FileSchema, 'The stored file'),
    ...problems(400, 403, 409, 410, 413, 415),
  },
});

const postRoute = createRoute({ ...putRoute, method: 'post', summary: 'Upload with an upload URL (multipart)' });

/** `/api/v1/files/upload-urls`: create one (signed in), use one (public, signed). */
export const uploadUrlRoutes = resourceApp<AppEnv>();

uploadUrlRoutes.openapi(createUrlRoute, async (c) => {
  const owner = await ownerOf(dbOf(c.env.DB), requirePrincipal(c));
  return c.json(await createUploadUrl(c.env, c.req.raw, owner, c.req.valid('json')), 201);
});

async function useUploadUrl(c: Context<AppEnv>, id: string, query: z.infer<typeof UseQuery>) {
  const body = c.req.raw.body;
  let claimed: string | undefined;
  try {
    const url = await claimUploadUrl(c.env, id, query.signature ?? '');
    claimed = url.id;
    const upload = await readUploadRequest(c.req.raw);
    if (url.contentType !== null && normaliseType(upload.declaredType) !== url.contentType) {
      throw new AppError('CONTENT_TYPE_MISMATCH', `This upload URL takes ${url.contentType} only.`);
    }
    const { file } = await ingest(c.env, c.executionCtx as ExecutionContext, {
      owner: await storedOwner(dbOf(c.env.DB), url.ownerId),
      name: url.name ?? requireName(upload.name),
      folder: url.folder,
      declaredType: upload.declaredType,
      declaredSize: upload.declaredSize,
      maxSize: url.maxBytes,
      body: upload.body,
    });
    await completeUploadUrl(c.env, url.id, file.id);
    return c.json(toFileView(file), 201);
  } catch (err) {
    await body?.cancel().catch(() => {});
    if (claimed) await releaseUploadUrl(c.env, claimed);
    throw err;
  }
}

uploadUrlRoutes.openapi(putRoute, (c) => useUploadUrl(c, c.req.valid('param').id, c.req.valid('query')));
uploadUrlRoutes.openapi(postRoute, (c) => useUploadUrl(c, c.req.valid('param').id, c.req.valid('query')));
