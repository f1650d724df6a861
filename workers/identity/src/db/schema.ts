// The drizzle schema of identity's database, one file a concept under tables/; drizzle-kit reads it from here.
export * from './tables/accounts.js';
export * from './tables/audit.js';
export * from './tables/credentials.js';
export * from './tables/outgoing.js';
export * from './tables/signing-keys.js';
