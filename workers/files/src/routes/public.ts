import { createRoute, z } from '@hono/zod-openapi';
import { access, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { fileOfPublicToken } from '../services/public-links.js';
import { PRIVATE_REVALIDATE, serveContent } from '../services/serve-content.js';
import { contentResponses, DownloadQuery, executionContextOf } from './content-responses.js';
import { problems } from './problems.js';

const TokenParams = z.object({
  token: z
    .string()
    .max(256)
    .openapi({ param: { name: 'token', in: 'path' } }),
});

const publicRoute = createRoute({
  method: 'get',
  path: '/{token}',
  ...access('public'),
  tags: ['files'],
  summary: 'Download through a public link',
  description:
    'No token but the one in the link. A revoked or expired link, or a trashed or deleted file, is 404. Served like `/content`; every use revalidates, so a revoked link stops at once.',
  request: { params: TokenParams, query: DownloadQuery },
  responses: { ...contentResponses, ...problems(404, 416) },
});

/** `GET /api/v1/files/public/{token}`: public, the link's token is the credential. */
export const publicRoutes = resourceApp<AppEnv>();

publicRoutes.openapi(publicRoute, async (c) => {
  const file = await fileOfPublicToken(dbOf(c.env.DB), c.req.valid('param').token);
  return serveContent(c.env, executionContextOf(c), c.req.raw, file, {
    download: c.req.valid('query').download === 'true',
    cacheControl: PRIVATE_REVALIDATE,
  });
});
