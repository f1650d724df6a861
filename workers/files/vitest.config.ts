import { domainWorkerProject, TEST_SECRETS } from '../../scripts/vitest-domain.js';

const { FILES_SIGNING_KEY = '', FILES_SEALING_KEY = '' } = TEST_SECRETS;

// The Images binding (`[images]` in wrangler.toml) transforms through sharp locally: no configuration of its own.
// Platform events go to a queue only the recorder consumes, so that tests can read what the Worker published.
export default await domainWorkerProject('files', {
  secrets: { FILES_SIGNING_KEY, FILES_SEALING_KEY },
  miniflare: { queueProducers: { PLATFORM_EVENTS: { queueName: 'test-platform-events' } } },
  recordQueues: ['test-platform-events'],
});
