export * from './errors.js';
export * from './pagination.js';
export * from './problem.js';
export * from './rpc.js';
export * from './services.js';
export * from './permissions.js';
