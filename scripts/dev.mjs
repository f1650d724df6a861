// `pnpm dev`: the whole platform on http://localhost:8787 with local D1, R2, Durable Objects and Queues.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, localVars, seedAdmin, startPlatform } from './platform.mjs';
import { root } from './workers.mjs';

const port = Number(process.env.PORT ?? 8787);
const inspectorPort = Number(process.env.INSPECTOR_PORT ?? 9229);
const persistTo = join(root, '.wrangler', 'state');

if (!existsSync(join(root, '.dev.vars'))) {
  copyFileSync(join(root, '.dev.vars.example'), join(root, '.dev.vars'));
  console.log('Created .dev.vars from .dev.vars.example (local defaults; edit it to add provider credentials).');
}
const vars = localVars();

// The pages and tracking script as they are now in the source tree (installs build them too).
await import('./static-assets.mjs');
console.log('Applying migrations to the local databases…');
await applyMigrations(persistTo);
console.log('Seeding the local admin…');
await seedAdmin(persistTo, { password: vars.ADMIN_PASSWORD, pepper: vars.PASSWORD_PEPPER });

console.log('Starting all seven Workers…');
let platform;
const starting = new AbortController();
const shutdown = async () => {
  process.stdout.write('\nStopping the platform…\n');
  // Still starting: end it at once. Running: let wrangler and workerd shut down in order.
  if (platform) await platform.stop();
  else starting.abort();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);

// Social login settings from .dev.vars reach identity as vars of a run-local copy of its config: a secondary Worker
// takes only the secrets it declares, and which OAUTH_<ID>_CLIENT_SECRET exist depends on the providers listed.
const identityVars = Object.fromEntries(
  Object.entries(vars).filter(([key]) => key === 'OAUTH_PROVIDERS' || /^OAUTH_[A-Z0-9_]+_CLIENT_SECRET$/.test(key)),
);

// Notification provider credentials reach the notifications Worker the same way: all of them are optional.
const notificationVars = Object.fromEntries(
  Object.entries(vars).filter(([key]) =>
    /^(NOTIFICATION_PROVIDERS|EMAIL_FROM|(RESEND|TWILIO|FCM|VAPID|SLACK|WEBPUSH)_[A-Z0-9_]+)$/.test(key),
  ),
);

// Payment provider settings likewise reach the payments Worker: without them every payment goes to the sandbox.
const paymentVars = Object.fromEntries(
  Object.entries(vars).filter(([key]) =>
    /^((STRIPE|PAYPAL)_[A-Z0-9_]+|SANDBOX_SETTLE_SECONDS|PAYMENT_PLANS|DUNNING_GRACE_DAYS|PAYMENTS_ALERTS_TO)$/.test(
      key,
    ),
  ),
);

platform = await startPlatform({
  port,
  inspectorPort,
  persistTo,
  workerVars: {
    ...(Object.keys(identityVars).length ? { identity: identityVars } : {}),
    ...(Object.keys(notificationVars).length ? { notifications: notificationVars } : {}),
    ...(Object.keys(paymentVars).length ? { payments: paymentVars } : {}),
  },
  secrets: vars,
  signal: starting.signal,
  onOutput: (text) => process.stdout.write(text),
});
const base = `http://localhost:${port}`;
console.log(`
Onasis Core is running.
  Console        ${base}/console   (sign in as the admin below)
  API            ${base}
  Health         ${base}/health
  API reference  ${base}/docs   (OpenAPI: ${base}/openapi.json)
  Metrics        ${base}/metrics
  Analytics      ${base}/dashboard   (demo traffic: pnpm seed:analytics; tracker: ${base}/js/script.js)
  Admin          admin@onasis.local / password ADMIN_PASSWORD from .dev.vars
Press Ctrl-C to stop.
`);
