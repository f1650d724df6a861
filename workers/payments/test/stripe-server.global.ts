import { startStripeServer } from '@onasis/testing/stripe-server';
import type { TestProject } from 'vitest/node';

// Starts the local server that speaks Stripe's API in this Node process and provides its origin to the tests, which
// read it as `env.TEST_STRIPE_SERVER_URL` and point the real `stripe` SDK at it.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startStripeServer();
  project.provide('stripeServerUrl', server.url);
  return () => server.close();
}

declare global {
  namespace Cloudflare {
    interface Env {
      /** The local Stripe server's origin, bound from `stripeServerUrl` (see vitest.config.ts). */
      TEST_STRIPE_SERVER_URL: string;
      /** The endpoint secret the Stripe webhook tests sign with (see vitest.config.ts). */
      STRIPE_WEBHOOK_SECRET: string;
      /** A producer on a queue the recorder reads: the webhook tests point `PAYMENT_EVENTS` at it. */
      TEST_STRIPE_EVENTS: Queue;
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    stripeServerUrl: string;
  }
}
