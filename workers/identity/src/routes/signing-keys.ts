import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, requirePrincipal } from '@onasis/http';
import { drizzle } from 'drizzle-orm/d1';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { listSigningKeys, retireSigningKey } from '../services/signing-keys.js';
import { forgetSigningKey } from '../services/tokens.js';
import { needs, problems } from './admin-common.js';

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

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/signing-keys',
  tags: ['identity'],
  summary: 'List the token-signing keys',
  description: 'Every key, newest first, with its status; never a private half. Needs `keys:manage`.',
  middleware: [needs('keys:manage')] as const,
  responses: {
    200: {
      description: 'The keys',
      content: {
        'application/json': { schema: z.object({ data: z.array(SigningKeySchema), nextCursor: z.null() }) },
      },
    },
    ...problems(401, 403),
  },
});

const retireRoute = createRoute({
  method: 'post',
  path: '/api/v1/signing-keys/{kid}/retire',
  tags: ['identity'],
  summary: 'Retire a signing key at once',
  description:
    'For a key that leaked: unpublishes it from the JWKS and erases its private half. Retiring the active key first ' +
    'starts a replacement that signs at once. Tokens the key signed stop verifying at the gateway within its key-set ' +
    'cache (5 minutes). Retiring a retired key changes nothing. Needs `keys:manage`.',
  middleware: [needs('keys:manage')] as const,
  request: { params: KidParams },
  responses: {
    200: {
      description: 'The retired key, and the kid of its replacement when it was the active one',
      content: {
        'application/json': {
          schema: z.object({ key: SigningKeySchema, replacedBy: z.string().nullable() }).openapi('RetiredSigningKey'),
        },
      },
    },
    ...problems(400, 401, 403, 404),
  },
});

/** Admin view of the token-signing keys, and the emergency retire; both with `keys:manage`. */
export function signingKeyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    c.json({ data: await listSigningKeys(drizzle(c.env.DB)), nextCursor: null }, 200),
  );

  app.openapi(retireRoute, async (c) => {
    const { kid } = c.req.valid('param');
    const result = await retireSigningKey(drizzle(c.env.DB), c.env.KEY_ENCRYPTION_KEY, kid);
    if (!result) throw new AppError('NOT_FOUND', 'No signing key has this id.');
    // This isolate stops signing with it now; others reload their key within a minute (services/tokens.ts).
    forgetSigningKey();
    await audit(c, {
      action: 'signing_key.retired',
      actorId: requirePrincipal(c).userId,
      targetType: 'signing_key',
      targetId: kid,
      data: { replacedBy: result.replacedBy },
    });
    return c.json(result, 200);
  });
}
