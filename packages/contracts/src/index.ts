export * from './auth.js';
export * from './errors.js';
export * from './events.js';
export * from './pagination.js';
export * from './permissions.js';
export * from './problem.js';
export * from './rpc.js';
export * from './services.js';
