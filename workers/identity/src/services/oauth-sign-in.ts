import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { audit } from './audit.js';
import { resolveOAuthAccount } from './oauth.js';
import type { ProviderConfig } from './oauth-config.js';
import { completeLogin, type PendingLogin, safeCode } from './oauth-provider.js';
import { forget } from './revocation.js';
import { sessionsOf, startSession, type TokenPair } from './sessions.js';
import { formatRefreshToken } from './tokens.js';

const failed = (detail: string) => new AppError('OAUTH_FAILED', detail);

/**
 * Finishes a genuine social login (started in this browser, its state spent): redeems the code, then signs in the
 * user linked to the provider account, links the account with the same verified email, or creates one. Answers the
 * first tokens of a session, or an MFA challenge's token. Every refusal from here on is audited.
 */
export async function signInWithProvider(
  c: Context<AppEnv>,
  config: ProviderConfig,
  input: { params: URLSearchParams; redirectUri: string; login: PendingLogin },
): Promise<{ tokens: TokenPair } | { mfaToken: string }> {
  const method = `oauth:${config.id}`;
  let userId: string | null = null;
  try {
    const error = input.params.get('error');
    if (error) throw failed(`The login provider answered ${safeCode(error)}.`);
    const identity = await completeLogin(c.env, config, input.params, input.redirectUri, input.login);
    if (!identity.email || !identity.emailVerified) {
      throw failed('The login provider did not confirm that the email address is verified.');
    }
    const account = await resolveOAuthAccount(c.env, config.id, { ...identity, email: identity.email });
    const user = account.user;
    userId = user.id;
    if (account.kind === 'disabled') throw new AppError('ACCOUNT_DISABLED', 'This account is disabled.');
    const target = { actorId: user.id, targetType: 'user', targetId: user.id };
    if (account.kind === 'created') await audit(c, { action: 'user.registered', ...target, data: { method } });
    if (account.kind === 'linked') {
      await audit(c, {
        action: 'oauth.linked',
        ...target,
        data: { method, claimed: account.claimed, apiKeysRevoked: account.revokedKeyIds },
      });
      // A claim ended every earlier session and key: the gateway isolate that forwarded this forgets them now.
      if (account.claimed) forget(c, { users: [user.id], apiKeys: account.revokedKeyIds });
    }
    if (user.mfaEnabled) {
      // A provider account stands in for the password only: the second factor is still asked for.
      const secret = await sessionsOf(c.env, user.id).createMfaChallenge(method);
      await audit(c, { action: 'user.login_mfa_challenge', ...target, data: { method } });
      return { mfaToken: formatRefreshToken(user.id, secret) };
    }
    const origin = { ip: c.get('clientIp') ?? null, userAgent: c.req.header('user-agent') ?? null, method };
    const tokens = await startSession(c.env, user.id, origin, c.executionCtx);
    await audit(c, { action: 'user.login', ...target, data: { method } });
    return { tokens };
  } catch (err) {
    if (err instanceof AppError) {
      await audit(c, {
        action: 'user.login',
        outcome: 'failure',
        targetType: userId ? 'user' : null,
        targetId: userId,
        data: { method, reason: err.code, detail: err.detail ?? null },
      });
    }
    throw err;
  }
}
