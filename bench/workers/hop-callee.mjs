// The callee of the two one-hop floors: the direct-D1 ceiling's JWKS read (the same statement, the same JSON) behind
// an RPC entrypoint, without a router or middleware, in each shape a forwarded request can cross a service binding.
// hop-caller.mjs calls it; see that file.
import { WorkerEntrypoint } from 'cloudflare:workers';

// The statement of direct-d1.mjs (the SQL drizzle generates for identity's query).
const JWKS_SQL =
  'select "kid", "public_jwk" from "signing_keys" where "signing_keys"."retired_at" is null order by "signing_keys"."created_at"';

async function jwksBody(db) {
  const rows = await db.prepare(JWKS_SQL).raw();
  return JSON.stringify({ keys: rows.map(([kid, publicJwk]) => ({ ...JSON.parse(publicJwk), kid, use: 'sig' })) });
}

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' };

export class Callee extends WorkerEntrypoint {
  /** The shape of `DomainEntrypoint.handle`: a Request in, a Response out. */
  async handle(request) {
    if (request.method !== 'GET') return new Response(null, { status: 405 });
    return new Response(await jwksBody(this.env.DB), { headers: HEADERS });
  }

  /** The shape of `DomainEntrypoint.serve`: plain values in (method, path, headers, body), plain values out. */
  async serve(request) {
    if (request.method !== 'GET') return { status: 405, headers: [], body: null };
    return { status: 200, headers: Object.entries(HEADERS), body: await jwksBody(this.env.DB) };
  }
}

export default {
  fetch() {
    return new Response('Not Found', { status: 404 });
  },
};
