import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { ownerOf } from '../services/owner.js';
import { usageOf } from '../services/quota.js';
import { problems } from './problems.js';

const UsageSchema = z
  .object({
    plan: z.string(),
    bytesUsed: z.number().int().openapi({ description: 'Bytes of files, trash included; each file counts whole.' }),
    filesUsed: z.number().int(),
    bytesReserved: z.number().int().openapi({ description: 'Bytes held for uploads in progress.' }),
    filesReserved: z.number().int(),
    bytesAllowed: z.number().int(),
    filesAllowed: z.number().int(),
  })
  .openapi('FileUsage');

const usageRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('files:read'),
  tags: ['files'],
  summary: 'Storage used and allowed',
  description: "The caller's bytes and files, stored and reserved, against their plan's quota. Needs `files:read`.",
  responses: { 200: jsonResponse(UsageSchema, 'Usage and limits'), ...problems(401, 403) },
});

/** `GET /api/v1/files/usage`. */
export const usageRoutes = resourceApp<AppEnv>();

usageRoutes.openapi(usageRoute, async (c) => {
  const owner = await ownerOf(dbOf(c.env.DB), requirePrincipal(c));
  return c.json({ plan: owner.plan, ...(await usageOf(c.env, owner)) }, 200);
});
