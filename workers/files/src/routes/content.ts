import { createRoute } from '@hono/zod-openapi';
import { access, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { fileFor } from '../services/file-access.js';
import { VariantQuery } from '../services/image-variants.js';
import { PRIVATE_REVALIDATE, serveContent } from '../services/serve-content.js';
import { contentResponses, DownloadQuery, executionContextOf } from './content-responses.js';
import { problems } from './problems.js';
import { FileIdParams } from './schemas.js';

const contentRoute = createRoute({
  method: 'get',
  path: '/{id}/content',
  ...access('files:read'),
  tags: ['files'],
  summary: "Download a file's content",
  description:
    'Streams the content as uploaded. One `Range` (`bytes=a-b`, `a-`, `-n`) answers 206, a range past the end 416, several ranges or a malformed one the whole content; `If-Range`, `If-None-Match` (304). HTML, SVG, XML and every type not known to be inert are attachments. `w`, `h`, `fit`, `format` ask for an image variant (at most 2,500 px a side; a non-image is 400 `NOT_AN_IMAGE`). Owner, a share, or `files:manage`. Needs `files:read`.',
  request: { params: FileIdParams, query: VariantQuery.extend(DownloadQuery.shape) },
  responses: { ...contentResponses, ...problems(400, 401, 403, 404, 416) },
});

/** `GET /api/v1/files/{id}/content`: the bytes, ranges, validators and image variants. */
export const contentRoutes = resourceApp<AppEnv>();

contentRoutes.openapi(contentRoute, async (c) => {
  const file = await fileFor(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id, 'read');
  const { download, ...variant } = c.req.valid('query');
  return serveContent(c.env, executionContextOf(c), c.req.raw, file, {
    download: download === 'true',
    cacheControl: PRIVATE_REVALIDATE,
    variant,
  });
});
