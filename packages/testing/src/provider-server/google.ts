import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, jwtVerify } from 'jose';
import { type Answer, type Incoming, json } from './http.js';
import type { Namespace } from './state.js';

const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * A service-account key file, as the Google Cloud console issues it; the server keeps the public half to check the
 * JWT assertions signed with it. Its `token_uri` points at this namespace's token endpoint.
 */
export function issueServiceAccount(ns: Namespace, base: string, projectId: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `sender-${randomUUID().slice(0, 8)}@${projectId}.iam.gserviceaccount.com`;
  ns.serviceAccounts.set(clientEmail, { projectId, publicKey });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: clientEmail,
    token_uri: `${base}/token`,
  };
}

const oauthError = (error: string, description: string): Answer => json(400, { error, error_description: description });

/** Google's token endpoint for the JWT-bearer grant (RFC 7523): verifies the assertion, issues an access token. */
export async function googleToken(incoming: Incoming, ns: Namespace, form: Record<string, string>): Promise<Answer> {
  if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !form.assertion) {
    return oauthError('unsupported_grant_type', 'Invalid grant_type or missing assertion.');
  }
  let issuer: unknown;
  try {
    issuer = decodeJwt(form.assertion).iss;
  } catch {
    return oauthError('invalid_grant', 'Invalid JWT: malformed.');
  }
  const account = typeof issuer === 'string' ? ns.serviceAccounts.get(issuer) : undefined;
  if (!account || typeof issuer !== 'string') return oauthError('invalid_grant', 'Invalid JWT Signature.');
  try {
    const { payload } = await jwtVerify(form.assertion, account.publicKey, {
      algorithms: ['RS256'],
      issuer,
      audience: `${incoming.base}/token`,
      requiredClaims: ['exp', 'iat'],
      maxTokenAge: '1h',
    });
    if (typeof payload.scope !== 'string' || !payload.scope.split(' ').includes(FCM_SCOPE)) {
      return oauthError('invalid_scope', 'The firebase.messaging scope is missing.');
    }
  } catch (err) {
    return oauthError('invalid_grant', `Invalid JWT: ${String(err)}`);
  }
  const token = `ya29.${randomBytes(24).toString('base64url')}`;
  ns.accessTokens.set(token, account.projectId);
  return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
}

const fcmError = (code: number, status: string, message: string, errorCode?: string): Answer =>
  json(code, {
    error: {
      code,
      message,
      status,
      ...(errorCode && {
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
      }),
    },
  });

/**
 * FCM HTTP v1 `messages:send`: the bearer token must be one this server issued for the project. A registration
 * token starting with `gone-` is one FCM no longer knows (404 UNREGISTERED).
 */
export function fcmSend(incoming: Incoming, ns: Namespace, project: string, body: unknown): Answer {
  const token = (incoming.headers.authorization ?? '').replace(/^Bearer /, '');
  if (ns.accessTokens.get(token) !== project) {
    return fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
  }
  const message = (body as { message?: { token?: unknown } } | null)?.message;
  if (!message || typeof message.token !== 'string') {
    return fcmError(
      400,
      'INVALID_ARGUMENT',
      'The registration token is not a valid FCM registration token',
      'INVALID_ARGUMENT',
    );
  }
  if (message.token.startsWith('gone-')) {
    return fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
  }
  return json(200, { name: `projects/${project}/messages/${randomUUID()}` });
}
