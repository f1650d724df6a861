import { createLogger } from '@onasis/http';
import { z } from 'zod';

const scopes = z
  .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token'))
  .min(1)
  .optional();
const base = {
  /** The provider's name in URLs (`/auth/oauth/{id}/…`), in session methods (`oauth:{id}`) and in its secret's name. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, - and _ (at most 32)'),
  clientId: z.string().min(1),
  scopes,
};
const httpsOrLoopback = z.url().refine((url) => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && isLoopback(hostname));
}, 'https (http only for a loopback host)');

const ProviderConfigSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('google') }),
  z.object({
    ...base,
    type: z.literal('microsoft'),
    /** A tenant id or domain, or `common`, `organizations` or `consumers` for multi-tenant apps. */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,100}$/)
      .default('common'),
  }),
  z.object({
    ...base,
    type: z.literal('github'),
    /** GitHub Enterprise Server: its web origin (`https://ghe.example.com`) and API (`https://ghe.example.com/api/v3`). */
    webBaseUrl: httpsOrLoopback.default('https://github.com'),
    apiBaseUrl: httpsOrLoopback.default('https://api.github.com'),
  }),
  z.object({ ...base, type: z.literal('oidc'), issuer: httpsOrLoopback }),
]);

/** One configured social login provider, as validated from OAUTH_PROVIDERS. */
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

/** Whether `hostname` is this machine: the only place plain-http providers are accepted (local development, tests). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

// Parsed once per isolate; keyed by the raw text so that an env with other providers (tests) is parsed anew.
let parsed: { raw: string; providers: Map<string, ProviderConfig> } | null = null;

/**
 * The providers configured in OAUTH_PROVIDERS (a JSON array). An entry that does not validate is logged and left
 * out, so that one typo disables one provider rather than all of them; so is a repeated id.
 */
export function oauthProviders(env: IdentityEnv): Map<string, ProviderConfig> {
  const raw = env.OAUTH_PROVIDERS ?? '[]';
  if (parsed?.raw === raw) return parsed.providers;
  const providers = new Map<string, ProviderConfig>();
  let entries: unknown[] = [];
  try {
    const json: unknown = JSON.parse(raw);
    if (Array.isArray(json)) entries = json;
    else logConfigError('OAUTH_PROVIDERS is not a JSON array');
  } catch {
    logConfigError('OAUTH_PROVIDERS is not valid JSON');
  }
  entries.forEach((entry, index) => {
    const result = ProviderConfigSchema.safeParse(entry);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');
      logConfigError('invalid OAuth provider ignored', { index, issues });
    } else if (providers.has(result.data.id)) {
      logConfigError('repeated OAuth provider id ignored', { index, id: result.data.id });
    } else {
      providers.set(result.data.id, result.data);
    }
  });
  parsed = { raw, providers };
  return providers;
}

const log = createLogger({ service: 'identity' });

function logConfigError(msg: string, fields: Record<string, string | number> = {}): void {
  log.error(msg, fields);
}

/** Name of the secret holding a provider's client secret: `OAUTH_<ID>_CLIENT_SECRET`, e.g. `OAUTH_GOOGLE_CLIENT_SECRET`. */
export function clientSecretName(providerId: string): string {
  return `OAUTH_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_SECRET`;
}

/** The provider's client secret, or undefined for a public client (PKCE only). Secrets are not in the typed Env. */
export function clientSecretOf(env: IdentityEnv, providerId: string): string | undefined {
  const value = (env as unknown as Record<string, unknown>)[clientSecretName(providerId)];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The scopes asked for when the configuration names none. */
export function defaultScopes(config: ProviderConfig): string[] {
  return config.type === 'github' ? ['read:user', 'user:email'] : ['openid', 'email', 'profile'];
}
