import type { ForgetList } from '@onasis/contracts';
import { forgetApiKey, forgetApiKeysOf } from './api-keys.js';
import { forgetSession, forgetUser } from './session-status.js';

/**
 * Drops what this isolate remembers about the credentials a service named on `FORGET_HEADER`: a revoked session, a
 * user whose sessions, roles or status changed (the answers about their sessions and API keys), a revoked API key.
 * The next request with any of them asks identity again; other isolates catch up within the cache windows (30 s).
 * Verified tokens need no forgetting: their session is checked on every request.
 */
export function forgetCredentialsOf(list: ForgetList): void {
  for (const sessionId of list.sessions ?? []) forgetSession(sessionId);
  for (const userId of list.users ?? []) {
    forgetUser(userId);
    forgetApiKeysOf(userId);
  }
  for (const keyId of list.apiKeys ?? []) forgetApiKey(keyId);
}
