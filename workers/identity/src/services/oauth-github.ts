import { AppError, createLogger } from '@onasis/http';
import { z } from 'zod';
import type { ProviderConfig } from './oauth-config.js';
import type { ProviderIdentity } from './oauth-provider.js';

const log = createLogger({ service: 'identity' });

const GithubUserSchema = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
});
const GithubEmailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * Who a GitHub access token belongs to. GitHub issues no ID token: the account comes from `GET /user` and the
 * address from `GET /user/emails` (scope `user:email`), where only the primary address counts and only if GitHub
 * verified it. The subject is the numeric account id, which survives a renamed login.
 */
export async function githubIdentity(
  config: Extract<ProviderConfig, { type: 'github' }>,
  accessToken: string,
): Promise<ProviderIdentity> {
  const api = config.apiBaseUrl.replace(/\/+$/, '');
  const init = {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      // GitHub's API refuses requests without a User-Agent.
      'user-agent': 'onasis-identity',
    },
    signal: AbortSignal.timeout(10_000),
  };
  let user: z.infer<typeof GithubUserSchema>;
  let emails: z.infer<typeof GithubEmailsSchema>;
  try {
    const [userRes, emailsRes] = await Promise.all([fetch(`${api}/user`, init), fetch(`${api}/user/emails`, init)]);
    if (!userRes.ok || !emailsRes.ok) throw new Error(`GitHub API answered ${userRes.status}/${emailsRes.status}`);
    user = GithubUserSchema.parse(await userRes.json());
    emails = GithubEmailsSchema.parse(await emailsRes.json());
  } catch (err) {
    log.warn('github profile failed', { provider: config.id, err: String(err) });
    throw new AppError('OAUTH_FAILED', `The profile from ${config.id} could not be read.`);
  }
  const primary = emails.find((e) => e.primary && e.verified && e.email.includes('@'));
  return {
    subject: String(user.id),
    email: primary?.email ?? null,
    emailVerified: primary !== undefined,
    name: (user.name?.trim() || user.login).slice(0, 200),
  };
}
