import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '@onasis/contracts';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { listApiKeys, MAX_ACTIVE_API_KEYS } from '../services/api-keys.js';
import { createApiKey } from '../services/create-api-key.js';
import { requestDeps } from '../services/request-deps.js';
import { forget } from '../services/revocation.js';
import { revokeApiKey } from '../services/revoke-api-key.js';
import { problems } from './problems.js';

/** An API key as lists show it: never its secret. */
export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'onk_k3x9q2ab' }),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().openapi({ description: 'Updated at most once a minute.' }),
  })
  .openapi('ApiKey');

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.string().min(1).max(64))
      .max(64)
      .openapi({ description: 'Permissions the key may use; each must be one you hold. Empty: none.' }),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Must be in the future.' }),
  })
  .strict()
  .openapi('CreateApiKeyRequest');

/**
 * Keys are managed only from a signed-in session: a leaked key must not be able to mint more keys or keep itself
 * alive by revoking the others.
 */
function sessionPrincipal(c: Context<AppEnv>): Principal {
  const principal = requirePrincipal(c);
  if (principal.via !== 'access_token')
    throw new AppError('FORBIDDEN', 'API keys are managed from a signed-in session, not with an API key.');
  return principal;
}

/** `/api/v1/users/me/api-keys`: the signed-in user's API keys. */
export const apiKeysApp = resourceApp<AppEnv>();

apiKeysApp.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['identity'],
    summary: 'Create an API key',
    description:
      'The key (`secret`) is in this answer only; identity keeps its hash. Send it as `Authorization: Bearer onk_…` ' +
      `or \`X-API-Key\`. At most ${MAX_ACTIVE_API_KEYS} active keys per user. Needs a signed-in session, not a key, ` +
      'and a verified email address (403 `EMAIL_NOT_VERIFIED`).',
    ...access('authenticated'),
    request: jsonBody(CreateApiKeySchema),
    responses: {
      201: jsonResponse(ApiKeySchema.extend({ secret: z.string() }), 'The key, with its secret'),
      ...problems(400, 401, 403, 409),
    },
  }),
  async (c) => {
    const { userId } = sessionPrincipal(c);
    const key = await createApiKey(requestDeps(c), { userId, ...c.req.valid('json') });
    c.header('cache-control', 'no-store');
    return c.json(key, 201);
  },
);

apiKeysApp.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['identity'],
    summary: 'The signed-in user’s API keys',
    description: 'Keys that are not revoked, expired ones included, newest first; never their secrets.',
    ...access('authenticated'),
    responses: { 200: jsonResponse(z.object({ data: z.array(ApiKeySchema) }), 'Keys'), ...problems(401, 403) },
  }),
  async (c) => c.json({ data: await listApiKeys(c.env.DB, sessionPrincipal(c).userId) }, 200),
);

apiKeysApp.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['identity'],
    summary: 'Revoke an API key',
    description: 'The gateway stops accepting the key within 60 seconds.',
    ...access('authenticated'),
    request: { params: z.object({ id: z.string().min(1).max(64) }) },
    responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) },
  }),
  async (c) => {
    const { userId } = sessionPrincipal(c);
    const { id } = c.req.valid('param');
    await revokeApiKey(requestDeps(c), { userId, keyId: id });
    forget(c, { apiKeys: [id] });
    return c.body(null, 204);
  },
);
