// Boots the whole platform once for the end-to-end suite: a fresh local state in a temporary directory, every
// database migrated, the admin seeded, all seven Workers in one `wrangler dev` on free ports. Tests get its URL
// through `inject('baseUrl')`. Set E2E_PLATFORM_LOG=1 to stream wrangler's output while the suite runs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
// The local PayPal server of the payments tests, by path: the e2e suite is not a workspace package.
import { startPayPalServer } from '../../packages/testing/src/paypal-server/index.js';
import { applyMigrations, freePort, seedAdmin, startPlatform } from '../../scripts/platform.mjs';
import { startOidcProvider } from './support/oidc-provider.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running gateway, e.g. `http://127.0.0.1:41234`. */
    baseUrl: string;
    /** The local state directory of this run's platform. */
    persistTo: string;
    /** The bearer token `/metrics` requires in this run. */
    metricsToken: string;
    /** Issuer URL of the local OpenID provider that identity knows as social login provider `e2e`. */
    oidcIssuer: string;
    /** The signing secret (`whsec_…`) of Resend delivery webhooks in this run. */
    resendWebhookSecret: string;
    /** Origin of the local PayPal server, the client id of payments' PayPal app there, and its webhook id. */
    paypal: { origin: string; clientId: string; webhookId: string };
  }
}

/** A sliding-window policy with the suite's room: 1000 a window. */
const roomy = (id: string, match: string, key: string, windowSeconds: number, failMode: 'open' | 'closed') => ({
  id,
  match,
  key,
  algorithm: 'sliding_window',
  limit: 1000,
  windowSeconds,
  failMode,
});

/**
 * The gateway's built-in policies (its README's table; `RATE_LIMIT_POLICIES` replaces it whole) with room for a suite
 * that signs in dozens of times from one address in a minute (and resends, verifies and enrols as one user): the
 * same routes, keys, windows and fail modes at 1000 a window, and the API budget as built in. The policies still
 * apply, so their headers can be checked. Written out here: the suite configures the platform as an operator would.
 */
const E2E_RATE_LIMITS = [
  roomy('login', 'POST /auth/login', 'ip', 60, 'closed'),
  roomy('register', 'POST /auth/register', 'ip', 60, 'closed'),
  roomy('password-forgot', 'POST /auth/password/forgot', 'ip', 900, 'closed'),
  roomy('password-reset', 'POST /auth/password/reset', 'user_or_ip', 900, 'closed'),
  roomy('verify-email-resend', 'POST /auth/verify-email/resend', 'user_or_ip', 900, 'closed'),
  roomy('verify-email', 'POST /auth/verify-email', 'user_or_ip', 900, 'closed'),
  roomy('mfa-verify', 'POST /auth/mfa/verify', 'user_or_ip', 300, 'closed'),
  roomy('mfa', 'POST /auth/mfa/*', 'user_or_ip', 300, 'closed'),
  roomy('oauth', 'GET /auth/oauth/*', 'ip', 60, 'closed'),
  roomy('profile-update', 'PATCH /api/v1/users/me', 'user_or_ip', 3600, 'closed'),
  roomy('phone', 'PUT /api/v1/notifications/phone', 'user_or_ip', 3600, 'closed'),
  roomy('phone-verify', 'POST /api/v1/notifications/phone/verify', 'user_or_ip', 900, 'closed'),
  // As built in: 600 a minute sustained (10 a second), in bursts of up to 600.
  { ...roomy('api', '* /api/v1/*', 'user_or_ip', 1, 'open'), algorithm: 'token_bucket', limit: 600, refillRate: 10 },
  { ...roomy('credential-failures', '* /*', 'ip', 300, 'open'), counts: 'credential_failures' },
  roomy('health', 'GET /health', 'ip', 60, 'open'),
];

/** Password of the seeded admin `admin@onasis.local` in this run. */
const ADMIN_PASSWORD = 'e2e-admin-password';
const PASSWORD_PEPPER = 'e2e-pepper';

interface Platform {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The pages and tracking script as they are in the source tree now: installs build them, edits since do not.
  await import('../../scripts/static-assets.mjs');
  const persistTo = mkdtempSync(join(tmpdir(), 'onasis-e2e-'));
  // A token of this run's own: `--var` overrides .dev.vars, so a developer's METRICS_TOKEN cannot change what the
  // metrics tests see, and the tests can check that the token is enforced.
  const metricsToken = `e2e-${randomBytes(16).toString('hex')}`;
  // Svix-style: base64 key material behind `whsec_`, as Resend shows it.
  const resendWebhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let platform: Platform | undefined;
  let cleanedUp = false;
  const starting = new AbortController();

  // Synchronous on purpose: on Ctrl-C vitest exits a moment after the signal, before any teardown can run.
  // `stop()` sends SIGTERM to wrangler's process group before its first await.
  const cleanUpNow = (): void => {
    if (cleanedUp) return;
    cleanedUp = true;
    // Aborting kills wrangler's process group synchronously, whether or not it finished starting.
    starting.abort();
    if (platform) void platform.stop();
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUpNow();
    // Vitest normally has its own listener and exits; without one, ours must not swallow the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUpNow);
  const removeListeners = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanUpNow);
  };

  let oidc: Awaited<ReturnType<typeof startOidcProvider>> | undefined;
  let paypalServer: Awaited<ReturnType<typeof startPayPalServer>> | undefined;
  const paypal = { clientId: 'e2e-paypal-app', webhookId: 'WH-E2E-ONASIS' };
  try {
    oidc = await startOidcProvider();
    paypalServer = await startPayPalServer();
    await applyMigrations(persistTo);
    await seedAdmin(persistTo, { password: ADMIN_PASSWORD, pepper: PASSWORD_PEPPER });
    const port: number = await freePort();
    let inspectorPort: number = await freePort();
    while (inspectorPort === port) inspectorPort = await freePort();
    platform = await startPlatform({
      port,
      inspectorPort,
      persistTo,
      vars: { METRICS_TOKEN: metricsToken, RATE_LIMIT_POLICIES: JSON.stringify(E2E_RATE_LIMITS) },
      workerVars: {
        identity: {
          OAUTH_PROVIDERS: JSON.stringify([{ id: 'e2e', type: 'oidc', clientId: 'onasis-e2e', issuer: oidc.issuer }]),
        },
        notifications: { RESEND_WEBHOOK_SECRET: resendWebhookSecret },
        // A delayed bank payment settles within the journey's wait; PayPal is the local PayPal server.
        payments: {
          SANDBOX_SETTLE_SECONDS: '1',
          PAYPAL_CLIENT_ID: paypal.clientId,
          PAYPAL_CLIENT_SECRET: `secret-${paypal.clientId}`,
          PAYPAL_WEBHOOK_ID: paypal.webhookId,
          PAYPAL_API_BASE: paypalServer.url,
        },
      },
      secrets: {
        PASSWORD_PEPPER,
        KEY_ENCRYPTION_KEY: `e2e-${randomBytes(24).toString('hex')}`,
        UNSUBSCRIBE_SIGNING_KEY: `e2e-${randomBytes(24).toString('hex')}`,
        FILES_SIGNING_KEY: `e2e-${randomBytes(24).toString('hex')}`,
        FILES_SEALING_KEY: `e2e-${randomBytes(24).toString('hex')}`,
      },
      signal: starting.signal,
      readyTimeoutMs: 180_000,
      onOutput: process.env.E2E_PLATFORM_LOG ? (text: string) => process.stderr.write(text) : undefined,
    });
  } catch (err) {
    await oidc?.stop();
    await paypalServer?.close();
    cleanUpNow();
    removeListeners();
    throw err;
  }

  project.provide('baseUrl', platform.url);
  project.provide('metricsToken', metricsToken);
  project.provide('persistTo', persistTo);
  project.provide('oidcIssuer', oidc.issuer);
  project.provide('resendWebhookSecret', resendWebhookSecret);
  project.provide('paypal', { origin: paypalServer.url, ...paypal });

  return async () => {
    removeListeners();
    if (cleanedUp) return;
    cleanedUp = true;
    await platform?.stop();
    await oidc?.stop();
    await paypalServer?.close();
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 3 });
  };
}
