// The drizzle schema of the payments database, one file a concept under tables/; drizzle-kit reads it from here.
export * from './tables/billing.js';
export * from './tables/disputes.js';
export * from './tables/events.js';
export * from './tables/ledger.js';
export * from './tables/payments.js';
