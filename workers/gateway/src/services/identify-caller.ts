import type { Principal } from '@onasis/contracts';
import { AppError, type Logger } from '@onasis/http';
import { countFailure, type FailureCounter, refuseBlockedSource } from '../rate-limit/credential-failures.js';
import { API_KEY_PREFIX, invalidToken, recall, unavailable, verifyAccessToken, verifyApiKey } from './access-tokens.js';
import { knownApiKeyPrincipal } from './api-keys.js';
import { IdentityUnavailableError } from './jwks.js';
import { sessionIsActive } from './session-status.js';

/** Where a request's failed credential checks are counted, and where the limiter's pending work goes. */
interface FailureGuard {
  failures: FailureCounter;
  background: Pick<ExecutionContext, 'waitUntil'>;
}

/**
 * The caller a credential proves without a signature check or a call to identity: a token verified a moment ago,
 * or an API key whose answer is cached (null: known not to be valid).
 */
function known(token: string, now: number): Principal | null | undefined {
  return recall(token, now) ?? (token.startsWith(API_KEY_PREFIX) ? knownApiKeyPrincipal(token, now) : undefined);
}

/**
 * The caller a presented credential proves, with a live session; throws the 401 (or 503) otherwise. A source that
 * failed too many checks (`guard`) gets 429 instead of another check, unless the credential is known here already:
 * an invented token or key then costs neither a signature check nor a call to identity.
 */
export async function identify(
  env: GatewayEnv,
  token: string,
  now: number,
  log: Logger,
  guard: FailureGuard | undefined,
): Promise<Principal> {
  // Repeat requests with the same token skip both the verifier and its promise.
  let principal = known(token, now);
  if (principal === null || principal === undefined) {
    if (guard !== undefined) refuseBlockedSource(guard.failures, now);
    try {
      principal = await (token.startsWith(API_KEY_PREFIX) ? verifyApiKey : verifyAccessToken)(env, token, now, log);
    } catch (err) {
      if (guard !== undefined && err instanceof AppError && err.code === 'UNAUTHENTICATED')
        await countFailure(env, guard.failures, guard.background, now);
      throw err;
    }
  }
  if (principal.sessionId !== null) {
    let active: boolean;
    try {
      const status = sessionIsActive(env, principal.userId, principal.sessionId, now);
      active = typeof status === 'boolean' ? status : await status;
    } catch (err) {
      if (err instanceof IdentityUnavailableError) throw unavailable(err, log);
      throw err;
    }
    if (!active) {
      log.info('access token refused', { reason: 'session' });
      throw invalidToken();
    }
  }
  return principal;
}
