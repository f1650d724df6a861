// Ceiling 2: identity's JWKS read with the gateway, the service binding and the routers taken away. What is left is
// the cost of the D1 round trip and the JSON, so `gateway → identity → D1` divided by this is what the platform's
// layers cost on a D1-backed route.
//
// Kept identical to workers/identity/src/routes/well-known.ts on purpose: the statement is the exact SQL drizzle
// generates for that query and is run the way drizzle runs a select with fields (`raw()`, rows as arrays); the
// response has the same JSON shape and cache header. If that route changes, change this file with it.
const JWKS_SQL =
  'select "kid", "public_jwk" from "signing_keys" where "signing_keys"."retired_at" is null order by "signing_keys"."created_at"';

export default {
  async fetch(request, env) {
    if (request.method !== 'GET' || new URL(request.url).pathname !== '/.well-known/jwks.json') {
      return new Response('Not Found', { status: 404 });
    }
    const rows = await env.DB.prepare(JWKS_SQL).raw();
    const keys = rows.map(([kid, publicJwk]) => ({ ...JSON.parse(publicJwk), kid, use: 'sig' }));
    return Response.json({ keys }, { headers: { 'cache-control': 'public, max-age=300' } });
  },
};
