import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Principal } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { createApiKey, listApiKeys, MAX_ACTIVE_API_KEYS, revokeApiKey } from '../services/api-keys.js';
import { audit } from '../services/audit.js';
import { findUserById, permissionsOf } from '../services/users.js';
import { json, jsonBody, problem } from './auth-schemas.js';

const security = [{ bearerAuth: [] }];

const ApiKeySchema = z
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

const createKey = createRoute({
  method: 'post',
  path: '/api/v1/users/me/api-keys',
  tags: ['identity'],
  summary: 'Create an API key',
  description:
    'The key (`secret`) is in this answer only; identity keeps its hash. Send it as `Authorization: Bearer onk_…` ' +
    `or \`X-API-Key\`. At most ${MAX_ACTIVE_API_KEYS} active keys per user. Needs a signed-in session, not a key, ` +
    'and a verified email address (403 `EMAIL_NOT_VERIFIED`).',
  security,
  request: jsonBody(CreateApiKeySchema),
  responses: {
    201: json('The key, with its secret', ApiKeySchema.extend({ secret: z.string() })),
    400: problem('Invalid body, or a scope you do not hold'),
    401: problem('Not signed in'),
    403: problem('Called with an API key, or the email address is not verified'),
    409: problem('Too many active keys'),
  },
});

const listKeys = createRoute({
  method: 'get',
  path: '/api/v1/users/me/api-keys',
  tags: ['identity'],
  summary: 'The signed-in user’s API keys',
  description: 'Keys that are not revoked, expired ones included, newest first; never their secrets.',
  security,
  responses: {
    200: json('Keys', z.object({ data: z.array(ApiKeySchema) })),
    401: problem('Not signed in'),
    403: problem('Called with an API key'),
  },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/api/v1/users/me/api-keys/{id}',
  tags: ['identity'],
  summary: 'Revoke an API key',
  description: 'The gateway stops accepting the key within 60 seconds.',
  security,
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: {
    204: { description: 'Revoked' },
    401: problem('Not signed in'),
    403: problem('Called with an API key'),
    404: problem('No such key of yours'),
  },
});

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

/** The signed-in user's API keys under /api/v1/users/me/api-keys. */
export function apiKeyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createKey, async (c) => {
    const principal = sessionPrincipal(c);
    const body = c.req.valid('json');
    // Until the address is proven the account may be someone else's pre-registration of it, and a key would
    // outlive the owner's claim of the account.
    const owner = await findUserById(c.env.DB, principal.userId);
    if (!owner) throw new AppError('UNAUTHENTICATED', 'The account no longer exists.');
    if (!owner.emailVerified) {
      await audit(c, {
        action: 'api_key.create_refused',
        outcome: 'failure',
        actorId: principal.userId,
        targetType: 'user',
        targetId: principal.userId,
        data: { reason: 'email_not_verified' },
      });
      throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address before creating API keys.');
    }
    // The roles as they are now, not as the access token recorded them up to its lifetime ago.
    const held = await permissionsOf(c.env.DB, principal.userId);
    const key = await createApiKey(c.env.DB, {
      userId: principal.userId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expiresAt,
      held,
    });
    await audit(c, {
      action: 'api_key.created',
      actorId: principal.userId,
      targetType: 'api_key',
      targetId: key.id,
      data: { name: key.name, prefix: key.prefix, scopes: key.scopes, expiresAt: key.expiresAt },
    });
    c.header('cache-control', 'no-store');
    return c.json(key, 201);
  });

  app.openapi(listKeys, async (c) => {
    const principal = sessionPrincipal(c);
    return c.json({ data: await listApiKeys(c.env.DB, principal.userId) }, 200);
  });

  app.openapi(revokeKey, async (c) => {
    const principal = sessionPrincipal(c);
    const { id } = c.req.valid('param');
    if (!(await revokeApiKey(c.env.DB, principal.userId, id)))
      throw new AppError('NOT_FOUND', 'You have no active API key with this id.');
    await audit(c, { action: 'api_key.revoked', actorId: principal.userId, targetType: 'api_key', targetId: id });
    return c.body(null, 204);
  });
}
