import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import {
  AppError,
  access,
  createdAtPosition,
  jsonBody,
  jsonResponse,
  pageByCreatedAt,
  requirePrincipal,
  resourceApp,
} from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { normaliseDomain } from '../services/domain.js';
import { findSiteFor } from '../services/site-access.js';
import { isTimeZone } from '../services/site-time.js';
import { createSite, deleteSite, listSites, siteView } from '../services/sites.js';
import { problems } from './problems.js';

const SiteSchema = z
  .object({
    id: z.string().openapi({ example: 'sit_3f9c0a6b1e2d4c5f8a7b6c5d4e3f2a1b' }),
    domain: z.string().openapi({ example: 'example.com' }),
    name: z.string(),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    ownerId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Site');

const NewSiteSchema = SiteSchema.extend({
  ingestKey: z.string().openapi({
    example: 'oak_9c1f…',
    description: 'For `POST /api/v1/analytics/batch` (`Authorization: Bearer`). Shown in this answer only.',
  }),
}).openapi('NewSite');

const CreateSiteSchema = z
  .object({
    domain: z
      .string()
      .max(300)
      .transform((d, ctx) => {
        const domain = normaliseDomain(d);
        if (domain !== null) return domain;
        ctx.addIssue({ code: 'custom', message: 'Not a host name (e.g. `example.com`).' });
        return z.NEVER;
      })
      .openapi({
        type: 'string',
        example: 'example.com',
        description: 'Host name; scheme, port, path and `www.` are dropped.',
      }),
    name: z.string().trim().min(1).max(200),
    timezone: z.string().refine(isTimeZone, 'Not an IANA time zone.').openapi({ example: 'Europe/Berlin' }),
    ownerId: z.string().min(1).max(64).optional().openapi({ description: 'Another owner: `analytics:manage` only.' }),
  })
  .strict()
  .openapi('CreateSiteRequest');

const SiteIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** `/api/v1/analytics/sites`: the tracked websites. */
export const siteRoutes = resourceApp<AppEnv>();

siteRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['analytics'],
    summary: 'Create a site',
    description:
      'A site the caller owns (with `analytics:manage`, `ownerId` makes it another user’s; anyone else naming another owner gets 403). The domain is normalised (lower case, punycode, no `www.`); another live site with it is a 409 `SITE_DOMAIN_TAKEN`, which is also what a plain retry gets. The `ingestKey` is in this answer only. Needs `analytics:write`.',
    ...access('analytics:write'),
    request: jsonBody(CreateSiteSchema),
    responses: { 201: jsonResponse(NewSiteSchema, 'The site, with its ingest key'), ...problems(400, 401, 403, 409) },
  }),
  async (c) => {
    const site = await createSite(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('json'));
    c.header('cache-control', 'no-store');
    return c.json(site, 201);
  },
);

siteRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['analytics'],
    summary: 'List sites',
    description:
      'The caller’s live sites, newest first; every live site with `analytics:manage`. Needs `analytics:read`.',
    ...access('analytics:read'),
    request: { query: ListQuerySchema },
    responses: { 200: jsonResponse(listOf(SiteSchema), 'One page of sites'), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const after = cursor === undefined ? undefined : createdAtPosition(cursor);
    const rows = await listSites(dbOf(c.env.DB), requirePrincipal(c), after, limit);
    return c.json(pageByCreatedAt(rows, limit, siteView), 200);
  },
);

siteRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['analytics'],
    summary: 'Get a site',
    description:
      'The owner’s or, with `analytics:manage`, any live site; anything else is a 404. Needs `analytics:read`.',
    ...access('analytics:read'),
    request: { params: SiteIdParams },
    responses: { 200: jsonResponse(SiteSchema, 'The site'), ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const site = await findSiteFor(dbOf(c.env.DB), requirePrincipal(c), id);
    if (!site) throw new AppError('NOT_FOUND', `No site ${id}.`);
    return c.json(siteView(site), 200);
  },
);

siteRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['analytics'],
    summary: 'Delete a site',
    description:
      'Stops its tracking (ingest may accept its domain for up to a minute more) and frees the domain; the purge job deletes its events and rollups later. A repeat is a 404. Owner or `analytics:manage`. Needs `analytics:write`.',
    ...access('analytics:write'),
    request: { params: SiteIdParams },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    await deleteSite(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
