export * from './errors.js';
export * from './pagination.js';
export * from './permissions.js';
export * from './problem.js';
export * from './rpc.js';
export * from './services.js';
