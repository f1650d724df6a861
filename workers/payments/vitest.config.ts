import { domainWorkerProject } from '../../scripts/vitest-domain.js';

/** The endpoint secret the webhook tests sign with; any `whsec_…` string works, as with `stripe listen`. */
const TEST_STRIPE_WEBHOOK_SECRET = 'whsec_onasis_local_test_secret';

// The local Stripe and PayPal servers run beside the tests; the real `stripe` SDK and the PayPal adapter are pointed
// at them (PayPal's credentials only where a test sets them: elsewhere PayPal stays unconfigured). `TEST_STRIPE_EVENTS`
// is a queue only the recorder consumes, so a webhook test can see what was queued while the Worker's own consumer
// keeps `PAYMENT_EVENTS` for the other tests. Identity runs for real (a subscription
// sets the user's plan there); what payments asks notifications to send, and the business events it publishes for
// analytics, land in the recorder.
export default await domainWorkerProject('payments', {
  globalSetup: ['./test/stripe-server.global.ts', './test/paypal-server.global.ts'],
  bindings: (inject) => ({
    TEST_STRIPE_SERVER_URL: inject('stripeServerUrl'),
    STRIPE_WEBHOOK_SECRET: TEST_STRIPE_WEBHOOK_SECRET,
    TEST_PAYPAL_SERVER_URL: inject('paypalServerUrl'),
  }),
  auxWorkers: ['identity'],
  recordQueues: ['test-stripe-events', 'test-notifications', 'test-platform-events'],
  miniflare: {
    queueProducers: {
      PAYMENT_EVENTS: { queueName: 'onasis-payment-events' },
      TEST_STRIPE_EVENTS: { queueName: 'test-stripe-events' },
      NOTIFICATIONS_QUEUE: { queueName: 'test-notifications' },
      PLATFORM_EVENTS: { queueName: 'test-platform-events' },
    },
  },
});
