import { startPayPalServer } from '@onasis/testing/paypal-server';

// The local PayPal server that the payments Worker behind the gateway is configured with (see vitest.config.ts), on
// the port the config chose: PayPal payments and PayPal's webhook route answer as they do when PayPal is set up,
// rather than as an unconfigured provider (a 503 on its webhook route, by design).
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startPayPalServer({ port: Number(process.env.ONASIS_TEST_PAYPAL_PORT) });
  return () => server.close();
}
