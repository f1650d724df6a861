import { createHash, randomUUID } from 'node:crypto';
import { type Answer, type Incoming, json } from './http.js';
import type { Namespace } from './state.js';
import { TEST_CREDENTIALS } from './types.js';

const problem = (statusCode: number, name: string, message: string): Answer =>
  json(statusCode, { statusCode, name, message });

/**
 * `POST /emails` as Resend answers it: Bearer API key, JSON body, `{ id }`. An `Idempotency-Key` seen before with
 * the same body answers the first id without a second email; with another body it is a 409.
 */
export function resendEmails(incoming: Incoming, ns: Namespace, body: unknown): Answer {
  const auth = incoming.headers.authorization ?? '';
  if (!auth.startsWith('Bearer '))
    return problem(401, 'missing_api_key', 'Missing API key in the authorization header');
  if (auth !== `Bearer ${TEST_CREDENTIALS.resendApiKey}`) return problem(403, 'invalid_api_key', 'API key is invalid');
  if (typeof body !== 'object' || body === null) return problem(422, 'validation_error', 'Invalid JSON body');
  const email = body as { from?: unknown; to?: unknown; subject?: unknown };
  const to = Array.isArray(email.to) ? email.to : [email.to];
  if (to.some((address) => typeof address !== 'string' || !/^[^@\s<>]+@[^@\s<>]+$/.test(address))) {
    return problem(
      422,
      'validation_error',
      'Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  if (typeof email.from !== 'string' || typeof email.subject !== 'string') {
    return problem(422, 'missing_required_field', 'Missing `from` or `subject` field.');
  }
  const key = incoming.headers['idempotency-key'];
  const fingerprint = createHash('sha256').update(incoming.raw).digest('hex');
  if (key) {
    const seen = ns.idempotency.get(key);
    if (seen && seen.fingerprint !== fingerprint) {
      return problem(
        409,
        'invalid_idempotent_request',
        'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
      );
    }
    if (seen) return json(200, { id: seen.id });
  }
  const id = randomUUID();
  if (key) ns.idempotency.set(key, { fingerprint, id });
  return json(200, { id });
}
