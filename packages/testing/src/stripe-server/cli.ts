// The local Stripe server on its own, for `pnpm dev` or a manual check (`tsx packages/testing/src/stripe-server/cli.ts
// [port]`, default 12111): set STRIPE_API_BASE to the printed origin and STRIPE_SECRET_KEY to any `sk_test_…` key.
import { startStripeServer } from './index.js';

const port = Number(process.argv[2] ?? 12111);
const server = await startStripeServer({ port });
console.log(`Local Stripe server on ${server.url} (keys: sk_test_…; control endpoints: see index.ts)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
