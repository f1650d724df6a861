// The local PayPal server on its own, for `pnpm dev` or a manual check (`tsx packages/testing/src/paypal-server/cli.ts
// [port]`, default 12112): set PAYPAL_API_BASE to the printed origin, PAYPAL_CLIENT_ID / PAYPAL_CLIENT_SECRET to any
// strings (the client id names the namespace) and PAYPAL_WEBHOOK_ID to the id registered with /__webhook-endpoints.
import { startPayPalServer } from './index.js';

const port = Number(process.argv[2] ?? 12112);
const server = await startPayPalServer({ port });
console.log(`Local PayPal server on ${server.url} (approval page: /checkoutnow?token=<order id>; see index.ts)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
