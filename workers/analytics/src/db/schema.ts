// The drizzle schema of the analytics database, one file a concept under tables/; drizzle-kit reads it from here.
export * from './tables/ingest.js';
export * from './tables/platform.js';
export * from './tables/retention.js';
export * from './tables/rollups.js';
export * from './tables/visits.js';
