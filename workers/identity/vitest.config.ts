import { domainWorkerProject } from '../../scripts/vitest-domain.mjs';

export default await domainWorkerProject('identity', {
  secrets: { PASSWORD_PEPPER: 'test-pepper', KEY_ENCRYPTION_KEY: 'test-key-encryption-key-of-32-chars-or-more' },
  recordQueues: ['onasis-notifications', 'onasis-user-events'],
});
