export { type DomainEntrypointStub, describeDomainWorker } from './domain-worker-suite.js';
export { problemOf } from './problem.js';
