export { type DomainEntrypointStub, describeDomainWorker } from './domain-worker-suite.js';
export { eventually } from './eventually.js';
export { type Call, type CallContext, type CallInit, type ForwardTarget, forwardTo, TRACEPARENT } from './forward.js';
export { problemOf } from './problem.js';
export { type RecordedMessage, recordedMessages, waitForRecorded } from './recorded-messages.js';
