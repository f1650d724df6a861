import { createRoute, z } from '@hono/zod-openapi';
import { listOf } from '@onasis/contracts';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import {
  createPublicLink,
  listPublicLinks,
  publicLinkPath,
  revokePublicLink,
  toPublicLinkView,
} from '../services/public-links.js';
import { publicOrigin } from '../services/public-url.js';
import { problems } from './problems.js';
import { FileIdParams } from './schemas.js';

const PublicLinkSchema = z
  .object({
    id: z.string().openapi({ example: 'lnk_3f9c0000000000000000000000000000' }),
    fileId: z.string(),
    expiresAt: z.string().nullable().openapi({ description: 'Null: works until revoked.' }),
    createdAt: z.string(),
  })
  .openapi('PublicLink');

const NewPublicLinkSchema = PublicLinkSchema.extend({
  url: z.string().openapi({ description: 'Shown once: only a hash of its token is kept.' }),
}).openapi('NewPublicLink');

const CreatePublicLinkSchema = z
  .object({
    expiresIn: z
      .number()
      .int()
      .min(10)
      .max(31_536_000)
      .optional()
      .openapi({ description: 'Seconds the link works (up to a year); absent, until revoked.' }),
  })
  .openapi('CreatePublicLink');

const LinkParams = FileIdParams.extend({
  linkId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'linkId', in: 'path' } }),
});

const createLinkRoute = createRoute({
  method: 'post',
  path: '/{id}/public-links',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Create a public link',
  description:
    'A URL anyone can download the file with, until it expires or is revoked; its token is shown in this answer only. Each call makes a new link. Owner or `files:manage` only. Needs `files:write`.',
  request: { params: FileIdParams, ...jsonBody(CreatePublicLinkSchema) },
  responses: { 201: jsonResponse(NewPublicLinkSchema, 'The link'), ...problems(400, 401, 403, 404) },
});

const listLinksRoute = createRoute({
  method: 'get',
  path: '/{id}/public-links',
  ...access('files:read'),
  tags: ['files'],
  summary: "List a file's public links",
  description:
    'Links not revoked, oldest first, without their tokens. Owner or `files:manage` only. Needs `files:read`.',
  request: { params: FileIdParams },
  responses: { 200: jsonResponse(listOf(PublicLinkSchema), 'The links'), ...problems(401, 403, 404) },
});

const revokeLinkRoute = createRoute({
  method: 'delete',
  path: '/{id}/public-links/{linkId}',
  ...access('files:write'),
  tags: ['files'],
  summary: 'Revoke a public link',
  description:
    'Its URL answers 404 from the next request on; revoking it again answers 204. Owner or `files:manage` only. Needs `files:write`.',
  request: { params: LinkParams },
  responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
});

/** `/api/v1/files/{id}/public-links`: revocable links that read a file without a token. */
export const publicLinkRoutes = resourceApp<AppEnv>();

publicLinkRoutes.openapi(createLinkRoute, async (c) => {
  const { row, token } = await createPublicLink(
    dbOf(c.env.DB),
    requirePrincipal(c),
    c.req.valid('param').id,
    c.req.valid('json').expiresIn,
  );
  const url = `${publicOrigin(c.env, c.req.raw)}${publicLinkPath(token)}`;
  return c.json({ ...toPublicLinkView(row), url }, 201);
});

publicLinkRoutes.openapi(listLinksRoute, async (c) => {
  const rows = await listPublicLinks(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
  return c.json({ data: rows.map(toPublicLinkView), nextCursor: null }, 200);
});

publicLinkRoutes.openapi(revokeLinkRoute, async (c) => {
  const { id, linkId } = c.req.valid('param');
  await revokePublicLink(dbOf(c.env.DB), requirePrincipal(c), id, linkId);
  return c.body(null, 204);
});
