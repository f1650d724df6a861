import { domainWorkerProject } from '../../scripts/vitest-domain.js';

// The real identity Worker runs beside this one, so that a notification to a user id resolves their address
// through identity's `contactOf`, as in production.
export default await domainWorkerProject('notifications', {
  auxWorkers: ['identity'],
  secrets: { UNSUBSCRIBE_SIGNING_KEY: 'test-unsubscribe-signing-key' },
  globalSetup: ['./test/provider-server.global.ts'],
  bindings: (inject) => ({ TEST_PROVIDER_SERVER_URL: inject('providerServerUrl') }),
});
