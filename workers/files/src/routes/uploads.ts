import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, refusing, requirePrincipal, resourceApp } from '@onasis/http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { maxUploadBytes } from '../services/config.js';
import { ownerOf } from '../services/owner.js';
import { publicOrigin } from '../services/public-url.js';
import { abortUpload } from '../services/tus-abort.js';
import { createUpload } from '../services/tus-create.js';
import { progressHeaders } from '../services/tus-http.js';
import { uploadFor } from '../services/tus-lookup.js';
import { byteCount, carriesBytes, parseMetadata, TUS_EXTENSIONS, TUS_VERSION } from '../services/tus-protocol.js';
import { sessionOf } from '../services/tus-session.js';
import { writeAt } from '../services/tus-write.js';
import { problems } from './problems.js';

const UploadIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const UploadSchema = z
  .object({
    id: z.string().openapi({ example: 'upl_0123456789abcdef0123456789abcdef' }),
    offset: z.number().int(),
    length: z.number().int(),
    status: z.enum(['active', 'completed']),
    fileId: z.string().nullable(),
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .openapi('Upload');

// tus 1.0: every request but OPTIONS names the version; anything else is refused before its body is read.
const tusVersion: MiddlewareHandler = async (c, next) => {
  await refusing(c, () => {
    if (c.req.header('tus-resumable') !== TUS_VERSION) {
      throw new AppError('PRECONDITION_FAILED', `Tus-Resumable must be ${TUS_VERSION}.`, {
        headers: { 'Tus-Version': TUS_VERSION },
      });
    }
  });
  await next();
};

const tus = (permission: 'files:read' | 'files:write') => access(permission, { middleware: [tusVersion] });
// Hono types its context's ExecutionContext more loosely than workers-types; it is the Worker's own.
const ctxOf = (c: Context<AppEnv>) => c.executionCtx as ExecutionContext;
const noContent = (description: string) => ({ description });

/** tus 1.0 resumable uploads (creation, creation-with-upload, termination, expiration), mounted at `/api/v1/uploads`. */
export const tusRoutes = resourceApp<AppEnv>();

tusRoutes.use('*', async (c, next) => {
  await next();
  c.res.headers.set('Tus-Resumable', TUS_VERSION);
});

// An expired upload its alarm has not aborted yet is aborted now, so that a 410 always means its space is free.
const lookup = (c: Context<AppEnv>, id: string) =>
  uploadFor(dbOf(c.env.DB), requirePrincipal(c).userId, id, (row) => abortUpload(c.env, row.id));

tusRoutes.openapi(
  createRoute({
    method: 'options',
    path: '/',
    ...access('files:write'),
    tags: ['files'],
    summary: 'tus discovery',
    description: 'Tus-Version, Tus-Extension and Tus-Max-Size. Needs `files:write`.',
    responses: { 204: noContent('What this server speaks'), ...problems(401, 403) },
  }),
  (c) =>
    c.body(null, 204, {
      'Tus-Version': TUS_VERSION,
      'Tus-Extension': TUS_EXTENSIONS,
      'Tus-Max-Size': String(maxUploadBytes(c.env)),
    }),
);

tusRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    ...tus('files:write'),
    tags: ['files'],
    summary: 'Start a resumable upload',
    description:
      'tus creation: `Upload-Length` (up to Tus-Max-Size; `Upload-Defer-Length` is not offered) and `Upload-Metadata` with `filename` (required), `filetype`, `folder`. The space is reserved now (413 over quota). A body of `application/offset+octet-stream` is the first PATCH (creation-with-upload). Needs `files:write`.',
    responses: { 201: noContent('Location of the upload'), ...problems(400, 401, 403, 412, 413, 415) },
  }),
  async (c) => {
    const caller = requirePrincipal(c);
    if (c.req.header('upload-defer-length') !== undefined) {
      throw new AppError('BAD_REQUEST', 'Upload-Defer-Length is not offered: send Upload-Length.');
    }
    const length = byteCount(c.req.header('upload-length'), 'Upload-Length');
    const rawMetadata = c.req.header('upload-metadata') ?? '';
    const metadata = parseMetadata(rawMetadata);
    const owner = await ownerOf(dbOf(c.env.DB), caller);
    const { row } = await createUpload(c.env, { owner, length, metadata, rawMetadata });
    const body = carriesBytes(c.req.header('content-type')) ? c.req.raw.body : null;
    // creation-with-upload: the body is the first PATCH; whatever it stored, the upload exists, so the answer is 201.
    const written = await writeAt(c.env, ctxOf(c), row, 0, body);
    return c.body(null, 201, {
      Location: `${publicOrigin(c.env, c.req.raw)}/api/v1/uploads/${row.id}`,
      ...progressHeaders(written.offset, row.expiresAt, written.fileId),
    });
  },
);

tusRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    ...tus('files:read'),
    tags: ['files'],
    summary: 'Where an upload stands',
    description:
      'GET: the upload as JSON (`fileId` once finished). HEAD (tus): `Upload-Offset`, `Upload-Length`, `Upload-Metadata`, and `Onasis-File-Id` once finished. Needs `files:read`.',
    request: { params: UploadIdParams },
    responses: { 200: jsonResponse(UploadSchema, 'The upload'), ...problems(401, 403, 404, 410, 412) },
  }),
  async (c) => {
    const row = await lookup(c, c.req.valid('param').id);
    const written = await writeAt(c.env, ctxOf(c), row, 0, null);
    // Hono answers HEAD with this route and drops the body: the tus headers are on both.
    const view = row.status === 'completed' ? null : await sessionOf(c.env, row.id).view();
    const { id, length, expiresAt, createdAt } = row;
    const status = written.fileId ? ('completed' as const) : ('active' as const);
    return c.json(
      { id, offset: written.offset, length: length ?? 0, status, fileId: written.fileId, expiresAt, createdAt },
      200,
      {
        ...progressHeaders(written.offset, row.expiresAt, written.fileId),
        'Upload-Length': String(row.length ?? 0),
        ...(view?.metadata ? { 'Upload-Metadata': view.metadata } : {}),
        'Cache-Control': 'no-store',
      },
    );
  },
);

tusRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    ...tus('files:write'),
    tags: ['files'],
    summary: 'Append bytes to an upload',
    description:
      'tus PATCH: `Content-Type: application/offset+octet-stream`, `Upload-Offset` equal to the current offset (409 with the real one otherwise, or while another PATCH is in progress). The last byte stores the file: the answer carries `Onasis-File-Id`. Needs `files:write`.',
    request: { params: UploadIdParams },
    responses: { 204: noContent('Stored; Upload-Offset'), ...problems(400, 401, 403, 404, 409, 410, 412, 415) },
  }),
  async (c) => {
    const row = await lookup(c, c.req.valid('param').id);
    if (!carriesBytes(c.req.header('content-type'))) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'A PATCH body must be application/offset+octet-stream.');
    }
    const offset = byteCount(c.req.header('upload-offset'), 'Upload-Offset');
    const body = c.req.raw.body ?? new Blob([]).stream();
    const written =
      row.status === 'completed'
        ? { offset: row.length ?? 0, fileId: row.fileId, problem: null }
        : await writeAt(c.env, ctxOf(c), row, offset, body);
    if (written.problem) throw written.problem;
    if (row.status === 'completed' && offset !== written.offset) {
      throw new AppError('CONFLICT', 'The upload is finished.', {
        headers: { 'Upload-Offset': String(written.offset) },
      });
    }
    return c.body(null, 204, progressHeaders(written.offset, row.expiresAt, written.fileId));
  },
);

tusRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    ...tus('files:write'),
    tags: ['files'],
    summary: 'Terminate an upload',
    description:
      'tus termination: the stored bytes are deleted and the reserved space given back; afterwards the upload is 404. A finished upload is 409 (delete its file instead). Needs `files:write`.',
    request: { params: UploadIdParams },
    responses: { 204: noContent('Terminated'), ...problems(401, 403, 404, 409, 410, 412) },
  }),
  async (c) => {
    const row = await lookup(c, c.req.valid('param').id);
    if (row.status === 'completed') throw new AppError('CONFLICT', 'The upload is finished; delete its file instead.');
    // Retried or raced by the expiry alarm, the abort finds less to do each time and ends in the same state.
    await abortUpload(c.env, row.id);
    return c.body(null, 204);
  },
);
