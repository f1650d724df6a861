import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import { base64url } from 'jose';
import type { AppEnv } from '../context.js';
import { publishedKeys } from '../services/signing-keys.js';

const JwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JsonWebKeySet', { description: 'RFC 7517 key set: the current and previous token-signing keys.' });

const jwks = createRoute({
  method: 'get',
  path: '/jwks.json',
  tags: ['identity'],
  summary: 'Token-signing public keys',
  ...access('public'),
  responses: { 200: jsonResponse(JwksSchema, 'The key set') },
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
  path: '/openid-configuration',
  tags: ['identity'],
  summary: 'OpenID Connect discovery document',
  ...access('public'),
  responses: { 200: jsonResponse(OpenIdConfigurationSchema, 'Discovery document') },
});

let lastEtag: { body: string; etag: string } | undefined;

/** A strong ETag of a body: changes exactly when the published keys do. The keys change rarely: the last is kept. */
async function etagOf(body: string): Promise<string> {
  if (lastEtag?.body === body) return lastEtag.etag;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  const etag = `"${base64url.encode(digest.slice(0, 16))}"`;
  lastEtag = { body, etag };
  return etag;
}

/** Discovery under /.well-known: the JWKS and the OpenID configuration that points to it. */
export const wellKnownApp = resourceApp<AppEnv>();

wellKnownApp.openapi(jwks, async (c) => {
  const keys = await publishedKeys(c.env.DB);
  c.header('cache-control', 'public, max-age=300');
  c.header('etag', await etagOf(JSON.stringify(keys)));
  return c.json({ keys }, 200);
});

wellKnownApp.openapi(openIdConfiguration, (c) => {
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
