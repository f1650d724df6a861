import { domainWorkerProject } from '../../scripts/vitest-domain.js';

export default await domainWorkerProject('identity', {
  secrets: {
    PASSWORD_PEPPER: 'test-pepper',
    KEY_ENCRYPTION_KEY: 'test-key-encryption-key-of-32-chars-or-more',
    // Client secrets of the test providers (`OAUTH_<ID>_CLIENT_SECRET`); the GitHub stand-in checks its own.
    OAUTH_MOCK_CLIENT_SECRET: 'mock-secret',
    OAUTH_GH_CLIENT_SECRET: 'gh-secret',
  },
  // A local OpenID provider and a GitHub stand-in, started for this project and stopped after it.
  globalSetup: './test/oidc-provider.global.ts',
  // What identity puts on its queues is read back through the QUEUE_RECORDER binding.
  recordQueues: ['onasis-notifications', 'onasis-user-events', 'onasis-platform-events'],
  bindings: (inject) => {
    const issuer = inject<string>('oauthIssuer');
    return {
      OAUTH_PROVIDERS: JSON.stringify([
        { id: 'mock', type: 'oidc', clientId: 'onasis-test', issuer },
        { id: 'gh', type: 'github', clientId: 'gh-client', webBaseUrl: issuer, apiBaseUrl: `${issuer}/api/v3` },
        // Left out (with an error logged) because its issuer is neither https nor loopback.
        { id: 'broken', type: 'oidc', clientId: 'x', issuer: 'http://idp.example.com' },
      ]),
    };
  },
});
