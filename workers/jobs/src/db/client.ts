import { type DrizzleD1Database, drizzle } from 'drizzle-orm/d1';

/** The jobs Worker's D1 database through drizzle. */
export type Db = DrizzleD1Database;

// One drizzle instance per binding: a request's services share it instead of wrapping the binding each time.
const instances = new WeakMap<D1Database, Db>();

/** The drizzle instance of `d1`, made once per binding. */
export function dbOf(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1);
    instances.set(d1, db);
  }
  return db;
}
