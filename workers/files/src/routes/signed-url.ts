import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { fileFor } from '../services/file-access.js';
import { publicOrigin } from '../services/public-url.js';
import { SIGNED_URL_SECONDS, signedUrlFor } from '../services/signed-urls.js';
import { problems } from './problems.js';
import { FileIdParams } from './schemas.js';

const CreateSignedUrlSchema = z
  .object({
    expiresIn: z
      .number()
      .int()
      .min(SIGNED_URL_SECONDS.min)
      .max(SIGNED_URL_SECONDS.max)
      .openapi({ description: 'Seconds the URL works, 10 to 604,800 (7 days).', example: 3600 }),
    download: z.boolean().optional().openapi({ description: '`true`: the URL always answers an attachment.' }),
  })
  .openapi('CreateSignedUrl');

const SignedUrlSchema = z
  .object({
    url: z.string().openapi({ description: 'Works without a token until `expiresAt`; any changed byte is a 403.' }),
    expiresAt: z.string(),
  })
  .openapi('SignedUrl');

const createSignedUrlRoute = createRoute({
  method: 'post',
  path: '/{id}/signed-url',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Create a signed download URL',
  description:
    'An HMAC-signed URL that downloads the file without a token until it expires, served like `/content` (ranges, validators). Nothing is stored: each call signs a new URL. Anyone who may read the file (owner, a share, `files:manage`); anyone else gets 404. Needs `files:write`.',
  request: { params: FileIdParams, ...jsonBody(CreateSignedUrlSchema) },
  responses: { 200: jsonResponse(SignedUrlSchema, 'The URL'), ...problems(400, 401, 403, 404) },
});

/** `POST /api/v1/files/{id}/signed-url`. */
export const signedUrlRoutes = resourceApp<AppEnv>();

signedUrlRoutes.openapi(createSignedUrlRoute, async (c) => {
  const { id } = c.req.valid('param');
  const { expiresIn, download } = c.req.valid('json');
  const file = await fileFor(dbOf(c.env.DB), requirePrincipal(c), id, 'read');
  const signed = await signedUrlFor(c.env, publicOrigin(c.env, c.req.raw), file.id, expiresIn, download ?? false);
  return c.json(signed, 200);
});
