import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { requestDeps } from '../services/request-deps.js';
import { retireSigningKey } from '../services/retire-signing-key.js';
import { listSigningKeys } from '../services/signing-keys.js';
import { problems } from './problems.js';

const SigningKeySchema = z
  .object({
    kid: z.string().openapi({ example: 'key_3f9c0a1b2c3d4e5f6071829304a5b6c7' }),
    alg: z.string().openapi({ example: 'ES256' }),
    status: z.enum(['active', 'published', 'retired']).openapi({
      description:
        '`active` signs new tokens; `published` is in the JWKS and verifies (a new key before it signs, or the ' +
        'previous one); `retired` is unpublished and its private half erased.',
    }),
    createdAt: z.string(),
    signsFrom: z.string().openapi({ description: 'When the key starts (or started) signing.' }),
    retiredAt: z.string().nullable(),
  })
  .openapi('SigningKey');

const KidParams = z.object({
  kid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'A key id.')
    .openapi({ param: { name: 'kid', in: 'path' } }),
});

/** `/api/v1/signing-keys`: the admin view of the token-signing keys, and the emergency retire; `keys:manage`. */
export const signingKeysApp = resourceApp<AppEnv>();

signingKeysApp.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['identity'],
    summary: 'List the token-signing keys',
    description: 'Every key, newest first, with its status; never a private half. Needs `keys:manage`.',
    ...access('keys:manage'),
    responses: {
      200: jsonResponse(z.object({ data: z.array(SigningKeySchema), nextCursor: z.null() }), 'The keys'),
      ...problems(401, 403),
    },
  }),
  async (c) => c.json({ data: await listSigningKeys(dbOf(c.env.DB)), nextCursor: null }, 200),
);

signingKeysApp.openapi(
  createRoute({
    method: 'post',
    path: '/{kid}/retire',
    tags: ['identity'],
    summary: 'Retire a signing key at once',
    description:
      'For a key that leaked: unpublishes it from the JWKS and erases its private half. Retiring the active key ' +
      'first starts a replacement that signs at once. Tokens the key signed stop verifying at the gateway within its ' +
      'key-set cache (5 minutes). Retiring a retired key changes nothing. Needs `keys:manage`.',
    ...access('keys:manage'),
    request: { params: KidParams },
    responses: {
      200: jsonResponse(
        z.object({ key: SigningKeySchema, replacedBy: z.string().nullable() }).openapi('RetiredSigningKey'),
        'The retired key, and the kid of its replacement when it was the active one',
      ),
      ...problems(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const result = await retireSigningKey(requestDeps(c), {
      actorId: requirePrincipal(c).userId,
      kid: c.req.valid('param').kid,
    });
    return c.json(result, 200);
  },
);
