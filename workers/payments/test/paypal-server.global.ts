import { startPayPalServer } from '@onasis/testing/paypal-server';
import type { TestProject } from 'vitest/node';

// Starts the local server that speaks PayPal's REST API in this Node process and provides its origin to the tests,
// which read it as `env.TEST_PAYPAL_SERVER_URL` and point the PayPal adapter there (`paypalEnv()` in paypal-helpers.ts).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPayPalServer();
  project.provide('paypalServerUrl', server.url);
  return () => server.close();
}

declare global {
  namespace Cloudflare {
    interface Env {
      /** The local PayPal server's origin, bound from `paypalServerUrl` (see vitest.config.ts). */
      TEST_PAYPAL_SERVER_URL: string;
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    paypalServerUrl: string;
  }
}
