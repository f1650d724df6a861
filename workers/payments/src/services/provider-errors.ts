import { AppError } from '@onasis/http';
import type { ProviderResult } from '../providers/provider.js';

/** The API answer to a provider call that did not succeed: 402 for a decline, 400 for a refused request, 502 else. */
export function providerFailure(result: Exclude<ProviderResult<unknown>, { ok: true }>): AppError {
  switch (result.kind) {
    case 'declined': {
      const { code, declineCode, message } = result.error;
      // The decline code is in `detail`, the one free field of the platform's problem documents.
      return new AppError('PAYMENT_FAILED', `${code}${declineCode ? ` (${declineCode})` : ''}: ${message}`);
    }
    case 'invalid':
      return new AppError('VALIDATION_FAILED', result.message, {
        errors: [{ path: 'body', message: result.message }],
      });
    case 'unavailable':
      return new AppError('UPSTREAM_FAILED', `The payment provider failed: ${result.message}`);
  }
}

/** A fresh id derived from a client's Idempotency-Key (per user and purpose), or a random one without a key. */
export async function derivedId(prefix: string, scope: string, key: string | undefined): Promise<string | undefined> {
  if (key === undefined) return undefined;
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${scope}\n${key}`)));
  return `${prefix}_${[...bytes.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
