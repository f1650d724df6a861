// The direct-D1 ceiling with drizzle-orm: the same JWKS read as direct-d1.mjs, written as identity writes it
// (`publishedKeys` in workers/identity/src/services/signing-keys.ts), so that the two rows of the report differ by
// drizzle's own cost per request on one query. Bundled by bench/lib/stack.mjs (it imports a package).
import { isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

// The columns of identity's `signing_keys` this query touches, declared as identity's schema declares them.
const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  publicJwk: text('public_jwk', { mode: 'json' }).notNull(),
  createdAt: text('created_at').notNull(),
  retiredAt: text('retired_at'),
});

// One drizzle instance per binding, as the platform's Workers keep one (dbOf).
const dbs = new WeakMap();
function dbOf(d1) {
  let db = dbs.get(d1);
  if (db === undefined) {
    db = drizzle(d1);
    dbs.set(d1, db);
  }
  return db;
}

export default {
  async fetch(request, env) {
    if (request.method !== 'GET' || new URL(request.url).pathname !== '/.well-known/jwks.json') {
      return new Response('Not Found', { status: 404 });
    }
    const rows = await dbOf(env.DB)
      .select({ kid: signingKeys.kid, publicJwk: signingKeys.publicJwk })
      .from(signingKeys)
      .where(isNull(signingKeys.retiredAt))
      .orderBy(signingKeys.createdAt);
    const keys = rows.map((r) => ({ ...r.publicJwk, kid: r.kid, use: 'sig' }));
    return Response.json({ keys }, { headers: { 'cache-control': 'public, max-age=300' } });
  },
};
