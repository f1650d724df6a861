import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { base64url } from 'jose';
import type { AppEnv } from '../context.js';
import { publishedKeys } from '../services/signing-keys.js';

const JwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JsonWebKeySet', { description: 'RFC 7517 key set: the current and previous token-signing keys.' });

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['identity'],
  summary: 'Token-signing public keys',
  responses: { 200: { description: 'The key set', content: { 'application/json': { schema: JwksSchema } } } },
});

const OpenIdConfigurationSchema = z
  .object({
    issuer: z.string(),
    jwks_uri: z.string(),
    token_endpoint: z.string(),
    id_token_signing_alg_values_supported: z.array(z.string()),
  })
  .openapi('OpenIdConfiguration');

const openIdConfiguration = createRoute({
  method: 'get',
  path: '/.well-known/openid-configuration',
  tags: ['identity'],
  summary: 'OpenID Connect discovery document',
  responses: {
    200: { description: 'Discovery document', content: { 'application/json': { schema: OpenIdConfigurationSchema } } },
  },
});

/** A strong ETag of a body: changes exactly when the published keys do. */
async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  return `"${base64url.encode(digest.slice(0, 16))}"`;
}

/** Discovery routes: the JWKS and the OpenID configuration that points to it. */
export function wellKnownRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(jwks, async (c) => {
    const keys = await publishedKeys(c.env.DB);
    c.header('cache-control', 'public, max-age=300');
    c.header('etag', await etagOf(JSON.stringify(keys)));
    return c.json({ keys }, 200);
  });

  app.openapi(openIdConfiguration, (c) => {
    const issuer = c.env.ISSUER;
    c.header('cache-control', 'public, max-age=3600');
    return c.json(
      {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/auth/login`,
        id_token_signing_alg_values_supported: ['ES256'],
      },
      200,
    );
  });
}
