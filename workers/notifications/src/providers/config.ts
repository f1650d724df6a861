import { z } from 'zod';
import { ServiceAccountSchema } from './fcm-token.js';

/** The variables and secrets the providers read; all optional, since a channel without credentials is the sandbox. */
export interface ProviderEnv {
  /** Shared with the Worker's generated `Env`, which makes `NotificationsEnv` assignable to this type. */
  ENVIRONMENT?: string;
  NOTIFICATION_PROVIDERS?: string;
  RESEND_API_KEY?: string;
  RESEND_BASE_URL?: string;
  RESEND_RATE_PER_SECOND?: string;
  RESEND_WEBHOOK_SECRET?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  TWILIO_MESSAGING_SERVICE_SID?: string;
  TWILIO_BASE_URL?: string;
  FCM_SERVICE_ACCOUNT?: string;
  FCM_BASE_URL?: string;
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
  WEBPUSH_ALLOW_LOOPBACK?: string;
  SLACK_WEBHOOK_URL?: string;
  SLACK_RATE_PER_SECOND?: string;
}

/** Provider names per channel. Push names the provider per kind of target, so both are listed. */
const PROVIDER_NAMES = {
  email: ['resend', 'sandbox'],
  sms: ['twilio', 'sandbox'],
  push: ['fcm', 'webpush', 'sandbox'],
  chat: ['slack', 'sandbox'],
} as const;

const choice = <T extends readonly [string, ...string[]]>(names: T) =>
  z.object({ primary: z.enum(names), fallback: z.enum(names).optional() }).strict();

const ProvidersConfigSchema = z
  .object({
    email: choice(PROVIDER_NAMES.email).optional(),
    sms: choice(PROVIDER_NAMES.sms).optional(),
    push: choice(PROVIDER_NAMES.push).optional(),
    chat: choice(PROVIDER_NAMES.chat).optional(),
  })
  .strict();

/** `NOTIFICATION_PROVIDERS`, parsed. */
type ProvidersConfig = z.output<typeof ProvidersConfigSchema>;

/** The configuration and what is wrong with it; each problem names the variable, never a secret's value. */
export interface ProviderSettings {
  config: ProvidersConfig;
  problems: string[];
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Reads `NOTIFICATION_PROVIDERS` and checks the credentials that are present. An invalid value does not stop the
 * Worker: the defaults apply and the problem is reported (logged once per isolate and in the `providers` health
 * check), because failing every request would also stop the in-app inbox and the sandbox.
 */
export function readProviderSettings(env: ProviderEnv): ProviderSettings {
  const problems: string[] = [];
  let config: ProvidersConfig = {};
  if (env.NOTIFICATION_PROVIDERS?.trim()) {
    const json = parseJson(env.NOTIFICATION_PROVIDERS);
    const parsed = ProvidersConfigSchema.safeParse(json);
    if (parsed.success) config = parsed.data;
    else {
      const why = json === undefined ? 'not JSON' : issuesOf(parsed.error);
      problems.push(`NOTIFICATION_PROVIDERS is not valid (${why}); the defaults apply`);
    }
  }
  if (env.FCM_SERVICE_ACCOUNT && !serviceAccountOf(env)) {
    problems.push('FCM_SERVICE_ACCOUNT is not a service-account JSON key; push to FCM tokens uses the sandbox');
  }
  if (env.TWILIO_ACCOUNT_SID && !env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID) {
    problems.push(
      'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required with TWILIO_ACCOUNT_SID; SMS uses the sandbox',
    );
  }
  for (const name of ['RESEND_RATE_PER_SECOND', 'SLACK_RATE_PER_SECOND'] as const) {
    if (env[name] !== undefined && rateOf(env[name]) === undefined) {
      problems.push(`${name} is not a positive number; the provider's default rate applies`);
    }
  }
  return { config, problems };
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** The service account in `FCM_SERVICE_ACCOUNT`, or null when absent or malformed. */
export function serviceAccountOf(env: ProviderEnv) {
  if (!env.FCM_SERVICE_ACCOUNT) return null;
  const parsed = ServiceAccountSchema.safeParse(parseJson(env.FCM_SERVICE_ACCOUNT));
  return parsed.success ? parsed.data : null;
}

/** A positive rate from a variable, or undefined (the provider's default). */
export function rateOf(raw: string | undefined): number | undefined {
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
