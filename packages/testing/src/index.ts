export { type DomainEntrypointStub, describeDomainWorker } from './domain-worker-suite.js';
