import type { Channel } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { type ProviderEnv, type ProviderSettings, rateOf, readProviderSettings, serviceAccountOf } from './config.js';
import { fcmProvider } from './fcm.js';
import { resendProvider } from './resend.js';
import { sandboxProvider, unconfiguredProvider, unconfiguredReason } from './sandbox.js';
import { slackProvider } from './slack.js';
import { twilioProvider } from './twilio.js';
import type { ChannelProviders, Provider, PushTarget } from './types.js';
import { webPushProvider } from './webpush.js';

type ProviderName = 'resend' | 'twilio' | 'fcm' | 'webpush' | 'slack' | 'sandbox';

/** The provider called `name`, or null when its credentials are absent. */
function build(name: ProviderName, channel: Channel, env: ProviderEnv): Provider | null {
  switch (name) {
    case 'resend':
      return env.RESEND_API_KEY
        ? resendProvider({
            apiKey: env.RESEND_API_KEY,
            baseUrl: env.RESEND_BASE_URL,
            ratePerSecond: rateOf(env.RESEND_RATE_PER_SECOND),
          })
        : null;
    case 'twilio':
      return env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && (env.TWILIO_FROM || env.TWILIO_MESSAGING_SERVICE_SID)
        ? twilioProvider({
            accountSid: env.TWILIO_ACCOUNT_SID,
            authToken: env.TWILIO_AUTH_TOKEN,
            from: env.TWILIO_FROM,
            messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
            baseUrl: env.TWILIO_BASE_URL,
          })
        : null;
    case 'fcm': {
      const serviceAccount = serviceAccountOf(env);
      return serviceAccount ? fcmProvider({ serviceAccount, baseUrl: env.FCM_BASE_URL }) : null;
    }
    case 'webpush':
      return env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT
        ? webPushProvider({
            publicKey: env.VAPID_PUBLIC_KEY,
            privateKey: env.VAPID_PRIVATE_KEY,
            subject: env.VAPID_SUBJECT,
            allowLoopback: env.WEBPUSH_ALLOW_LOOPBACK === 'true',
          })
        : null;
    case 'slack':
      return env.SLACK_WEBHOOK_URL
        ? slackProvider({
            webhookUrl: env.SLACK_WEBHOOK_URL,
            ratePerSecond: rateOf(env.SLACK_RATE_PER_SECOND),
          })
        : null;
    case 'sandbox':
      // A sandbox reports "sent" while sending nothing: only a developer's machine (and the tests) may have one.
      return isLocal(env) ? sandboxProvider(channel) : null;
  }
}

/** Whether this Worker runs where the sandbox is allowed. */
const isLocal = (env: ProviderEnv) => env.ENVIRONMENT === 'local';

const DEFAULTS: Record<Exclude<Channel, 'inapp'>, ProviderName> = {
  email: 'resend',
  sms: 'twilio',
  push: 'fcm',
  chat: 'slack',
};

interface Built {
  settings: ProviderSettings;
  channels: Map<string, ChannelProviders>;
}

// Providers hold SDK clients and parsed keys: built once per isolate and env object, not per message.
const built = new WeakMap<object, Built>();
const log = createLogger({ service: 'notifications' });

function builtFor(env: ProviderEnv): Built {
  let entry = built.get(env);
  if (!entry) {
    entry = { settings: readProviderSettings(env), channels: new Map() };
    for (const problem of entry.settings.problems) log.error('notification provider configuration', { problem });
    built.set(env, entry);
  }
  return entry;
}

/**
 * The providers configured for a channel (for push, for the kind of target). A channel whose provider has no
 * credentials gets the sandbox; a fallback without credentials is left out rather than becoming a second sandbox.
 */
export function providersFor(channel: Channel, env: ProviderEnv, target?: PushTarget): ChannelProviders {
  const entry = builtFor(env);
  const cacheKey = channel === 'push' ? `push:${target?.kind ?? 'fcm'}` : channel;
  const cached = entry.channels.get(cacheKey);
  if (cached) return cached;
  const providers = resolve(channel, env, entry.settings, target);
  entry.channels.set(cacheKey, providers);
  return providers;
}

function resolve(
  channel: Channel,
  env: ProviderEnv,
  settings: ProviderSettings,
  target?: PushTarget,
): ChannelProviders {
  if (channel === 'inapp') return { primary: sandboxProvider(channel) };
  const choice = settings.config[channel];
  let primary: ProviderName = choice?.primary ?? DEFAULTS[channel];
  let fallback: ProviderName | undefined = choice?.fallback;
  if (channel === 'push') {
    // A push target can only go through the provider of its kind; FCM and Web Push are not interchangeable.
    const kind = target?.kind ?? 'fcm';
    if (primary !== 'sandbox' && primary !== kind) primary = kind;
    if (fallback !== undefined && fallback !== 'sandbox' && fallback !== kind) fallback = undefined;
  }
  const first =
    build(primary, channel, env) ?? (isLocal(env) ? sandboxProvider(channel) : unconfiguredProvider(channel, primary));
  const second = fallback && fallback !== primary ? build(fallback, channel, env) : null;
  return second && second.name !== first.name ? { primary: first, fallback: second } : { primary: first };
}

const PROBED: [Channel, PushTarget | undefined][] = [
  ['email', undefined],
  ['sms', undefined],
  ['push', { kind: 'fcm', token: 'probe' }],
  ['push', { kind: 'webpush', endpoint: 'https://probe.invalid/', keys: { p256dh: '', auth: '' } }],
  ['chat', undefined],
];

/**
 * What is wrong with the provider configuration, for the Worker's `providers` health check (empty: all well).
 * Outside `local` that includes every channel (and kind of push target) without a provider's credentials.
 */
export function providerProblems(env: ProviderEnv): string[] {
  const problems = [...builtFor(env).settings.problems];
  if (!isLocal(env)) {
    for (const [channel, target] of PROBED) {
      const { primary } = providersFor(channel, env, target);
      if (primary.name !== 'unconfigured') continue;
      const intended = resolveIntended(channel, builtFor(env).settings, target);
      problems.push(unconfiguredReason(channel === 'push' ? `push to ${target?.kind} targets` : channel, intended));
    }
  }
  return problems;
}

function resolveIntended(channel: Channel, settings: ProviderSettings, target?: PushTarget): string {
  if (channel === 'push') {
    const primary = settings.config.push?.primary;
    return primary === 'sandbox' ? 'sandbox' : (target?.kind ?? 'fcm');
  }
  if (channel === 'inapp') return 'inapp';
  return settings.config[channel]?.primary ?? DEFAULTS[channel];
}

/** A `runHealthChecks` check that fails (and logs why) while the provider configuration has problems. */
export function providersCheck(env: ProviderEnv): () => Promise<unknown> {
  return async () => {
    const problems = providerProblems(env);
    if (problems.length > 0) throw new Error(problems.join('; '));
  };
}
