import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';

/** A Worker's D1 database through drizzle; `$client` is the binding, for the rare statement drizzle cannot batch. */
export type Db = DrizzleD1Database & { $client: D1Database };

// One client per binding: building one is cheap, but every service of a request asks for it.
const clients = new WeakMap<D1Database, Db>();

/** The drizzle client of a D1 binding, built once per binding. */
export function dbOf(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1);
    clients.set(d1, db);
  }
  return db;
}
