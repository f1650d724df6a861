import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '@onasis/contracts';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { ownerOf } from '../services/owner.js';
import { createS3Key, deleteS3Key, listS3Keys, MAX_S3_KEYS } from '../services/s3-keys.js';
import { problems } from './problems.js';

const S3KeySchema = z
  .object({
    accessKeyId: z.string().openapi({ example: 'ONASK3X9Q2ABCDEFGH27' }),
    name: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Updated at most once a minute.' }),
  })
  .openapi('S3Key');

const NewS3KeySchema = z
  .object({
    accessKeyId: z.string(),
    secretAccessKey: z.string().openapi({ description: 'Shown in this answer only.' }),
    name: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('NewS3Key');

const CreateS3KeySchema = z
  .object({ name: z.string().trim().min(1).max(100).optional() })
  .strict()
  .openapi('CreateS3KeyRequest');

/**
 * Keys are minted and revoked only from a signed-in session: a leaked API key must not turn itself into a lasting S3
 * credential, nor revoke the owner's own keys.
 */
function sessionPrincipal(c: Context<AppEnv>): Principal {
  const principal = requirePrincipal(c);
  if (principal.via !== 'access_token')
    throw new AppError('FORBIDDEN', 'S3 access keys are managed from a signed-in session, not with an API key.');
  return principal;
}

/** `/api/v1/files/s3-keys`: the caller's access keys for the S3-compatible API at `/s3`. */
export const s3KeyRoutes = resourceApp<AppEnv>();

s3KeyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['files'],
    summary: 'Create an S3 access key',
    description:
      'An access key for the S3-compatible API at `/s3` (AWS Signature V4), acting as the caller on their own files. ' +
      'The secret is in this answer only; it is kept sealed (AES-GCM), since checking a signature needs it. ' +
      `At most ${MAX_S3_KEYS} keys per user. Needs a signed-in session.`,
    ...access('files:write'),
    request: jsonBody(CreateS3KeySchema),
    responses: { 201: jsonResponse(NewS3KeySchema, 'The key, with its secret'), ...problems(400, 401, 403, 409) },
  }),
  async (c) => {
    const principal = sessionPrincipal(c);
    const db = dbOf(c.env.DB);
    // Remembers the plan, so that S3 requests (which the gateway does not authenticate) meet the right quota.
    await ownerOf(db, principal);
    const key = await createS3Key(c.env, db, principal.userId, c.req.valid('json').name ?? null);
    c.header('cache-control', 'no-store');
    return c.json(key, 201);
  },
);

s3KeyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['files'],
    summary: 'The caller’s S3 access keys',
    description: 'Newest first, never their secrets.',
    ...access('files:read'),
    responses: {
      200: jsonResponse(z.object({ data: z.array(S3KeySchema), nextCursor: z.string().nullable() }), 'Keys'),
      ...problems(401, 403),
    },
  }),
  async (c) => {
    const { userId } = requirePrincipal(c);
    return c.json({ data: await listS3Keys(dbOf(c.env.DB), userId), nextCursor: null }, 200);
  },
);

s3KeyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{accessKeyId}',
    tags: ['files'],
    summary: 'Delete an S3 access key',
    description: 'Requests signed with it are refused (`InvalidAccessKeyId`) from now on. Another user’s key is a 404.',
    ...access('files:write'),
    request: { params: z.object({ accessKeyId: z.string().min(1).max(64) }) },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { userId } = sessionPrincipal(c);
    await deleteS3Key(dbOf(c.env.DB), userId, c.req.valid('param').accessKeyId);
    return c.body(null, 204);
  },
);
