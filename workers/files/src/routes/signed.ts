import { createRoute, z } from '@hono/zod-openapi';
import { access, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { serveContent } from '../services/serve-content.js';
import { checkSignedUrl, liveFile } from '../services/signed-urls.js';
import { contentResponses, executionContextOf } from './content-responses.js';
import { problems } from './problems.js';

// Loose on purpose: a missing or mangled part is a 403 from the signature check, never a 400 saying which part.
const SignedQuery = z.object({
  expires: z.string().max(64).optional(),
  download: z.string().max(64).optional(),
  signature: z.string().max(256).optional(),
});

const signedRoute = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('public'),
  tags: ['files'],
  summary: 'Download through a signed URL',
  description:
    'No token: the signature is the credential. Any changed part or an expired URL is 403 `INVALID_SIGNATURE`; a trashed or deleted file 404. Served like `/content`, cacheable privately until the URL expires.',
  request: {
    params: z.object({
      id: z
        .string()
        .max(256)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    query: SignedQuery,
  },
  responses: { ...contentResponses, ...problems(403, 404, 416) },
});

/** `GET /api/v1/files/signed/{id}`: public, the URL's signature is the credential. */
export const signedRoutes = resourceApp<AppEnv>();

signedRoutes.openapi(signedRoute, async (c) => {
  const { id } = c.req.valid('param');
  const { download, secondsLeft } = await checkSignedUrl(c.env, id, c.req.valid('query'));
  const file = await liveFile(dbOf(c.env.DB), id);
  return serveContent(c.env, executionContextOf(c), c.req.raw, file, {
    download,
    cacheControl: `private, max-age=${secondsLeft}`,
  });
});
