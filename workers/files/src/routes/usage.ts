import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { isFilesAdmin, ownerOf, storedOwner } from '../services/owner.js';
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
  description:
    "The caller's bytes and files, stored and reserved, against their plan's quota; with `files:manage`, any user's (`userId`, under the plan last seen for them). Needs `files:read`.",
  request: {
    query: z.object({
      userId: z.string().min(1).max(64).optional().openapi({ description: 'Another user (`files:manage` only).' }),
    }),
  },
  responses: { 200: jsonResponse(UsageSchema, 'Usage and limits'), ...problems(400, 401, 403) },
});

/** `GET /api/v1/files/usage`. */
export const usageRoutes = resourceApp<AppEnv>();

usageRoutes.openapi(usageRoute, async (c) => {
  const caller = requirePrincipal(c);
  const { userId } = c.req.valid('query');
  const db = dbOf(c.env.DB);
  if (userId !== undefined && userId !== caller.userId && !isFilesAdmin(caller)) {
    throw new AppError('FORBIDDEN', "Another user's usage needs the files:manage permission.");
  }
  // Read-only for another user: their stored plan is used as is, never rewritten from the admin's.
  const owner =
    userId === undefined || userId === caller.userId ? await ownerOf(db, caller) : await storedOwner(db, userId);
  return c.json({ plan: owner.plan, ...(await usageOf(c.env, owner)) }, 200);
});
