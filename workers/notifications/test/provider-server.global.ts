import { startProviderServer } from '@onasis/testing/provider-server';
import type { TestProject } from 'vitest/node';

// Starts the local server that speaks the providers' APIs (Resend, Twilio, Google OAuth + FCM, Web Push, Slack) in
// this Node process and provides its origin to the tests, which read it as `env.TEST_PROVIDER_SERVER_URL`.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startProviderServer();
  project.provide('providerServerUrl', server.url);
  return () => server.close();
}

declare global {
  namespace Cloudflare {
    interface Env {
      /** The local provider server's origin, bound from `providerServerUrl` (see vitest.config.ts). */
      TEST_PROVIDER_SERVER_URL: string;
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    providerServerUrl: string;
  }
}
