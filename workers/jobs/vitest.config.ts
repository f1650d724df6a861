import { domainWorkerProject } from '../../scripts/vitest-domain.js';

const fixture = (name: string) => ({
  name,
  modules: true,
  scriptPath: new URL('./test/fixtures/job-owners.js', import.meta.url).pathname,
  compatibilityDate: '2026-11-01',
});

export default await domainWorkerProject('jobs', {
  // The owners of job types, played by a fixture under their real names so that wrangler.toml's bindings resolve.
  extraWorkers: [
    fixture('onasis-identity'),
    fixture('onasis-notifications'),
    fixture('onasis-payments'),
    fixture('onasis-files'),
    fixture('onasis-analytics'),
  ],
  // The Worker consumes onasis-jobs and onasis-jobs-dlq itself, and a queue has one consumer: in tests its producers
  // point at queues only the recorder consumes, and the tests hand batches to the handler themselves.
  miniflare: {
    queueProducers: { JOBS_QUEUE: { queueName: 'test-jobs' }, JOBS_DLQ: { queueName: 'test-jobs-dlq' } },
  },
  recordQueues: ['test-jobs', 'test-jobs-dlq'],
});
