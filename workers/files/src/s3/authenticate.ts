import { dbOf } from '../db/client.js';
import { type Owner, storedOwner } from '../services/owner.js';
import { type S3Credential, s3CredentialOf, touchS3Key } from '../services/s3-keys.js';
import { S3Error } from './errors.js';
import { ALGORITHM, canonicalRequest, hmacHex, sameSignature, signingKey, stringToSign } from './sigv4.js';

/** Largest clock difference between a signed request and this server (S3's own limit). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Longest life of a presigned URL (S3's own limit: seven days). */
export const MAX_PRESIGNED_SECONDS = 604_800;

const PAYLOAD_FORMS = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);

/** Who signed a request, and what its signature says of the body. */
export interface S3Caller {
  owner: Owner;
  accessKeyId: string;
  /** `x-amz-content-sha256`: a hex hash, `UNSIGNED-PAYLOAD`, or one of the `STREAMING-…` forms. */
  payloadHash: string;
  /** What checking the signed chunks of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body needs. */
  chunks: { key: ArrayBuffer; amzDate: string; scope: string; seed: string };
}

interface Claimed {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function timeOf(amzDate: string | null): number {
  const m = amzDate ? AMZ_DATE.exec(amzDate) : null;
  const time = m
    ? Date.UTC(+(m[1] ?? 0), +(m[2] ?? 1) - 1, +(m[3] ?? 1), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
    : NaN;
  if (Number.isNaN(time)) throw new S3Error('AccessDenied', 'AWS authentication requires a valid x-amz-date.');
  return time;
}

function claimOf(credential: string, signedHeaders: string, signature: string, amzDate: string, malformed: S3Error) {
  const [accessKeyId, date, region, service, terminal, ...rest] = credential.split('/');
  if (!accessKeyId || !date || !region || service === undefined || terminal !== 'aws4_request' || rest.length > 0)
    throw malformed;
  if (service !== 's3')
    throw new S3Error('AuthorizationHeaderMalformed', `The service must be "s3", not "${service}".`);
  if (!/^[0-9a-f]{64}$/i.test(signature)) throw malformed;
  const headers = signedHeaders.split(';');
  if (!headers.includes('host') || headers.some((h) => h !== h.toLowerCase() || h === ''))
    throw new S3Error('AccessDenied', 'The signed headers must include host, in lower case.');
  if (amzDate.slice(0, 8) !== date)
    throw new S3Error('AuthorizationHeaderMalformed', 'The credential date does not match x-amz-date.');
  return { accessKeyId, date, region, service, signedHeaders: headers, signature, amzDate } satisfies Claimed;
}

function fromHeader(request: Request, now: number): Claimed {
  const header = request.headers.get('authorization') ?? '';
  if (header.startsWith('AWS '))
    throw new S3Error('InvalidRequest', 'Signature Version 2 is not supported; use AWS4-HMAC-SHA256.');
  const malformed = new S3Error('AuthorizationHeaderMalformed', 'The Authorization header is malformed.');
  if (!header.startsWith(`${ALGORITHM} `)) throw malformed;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const amzDate = request.headers.get('x-amz-date');
  const time = timeOf(amzDate);
  if (Math.abs(now - time) > MAX_SKEW_MS)
    throw new S3Error(
      'RequestTimeTooSkewed',
      'The difference between the request time and the server time is too large.',
    );
  return claimOf(
    fields.get('Credential') ?? '',
    fields.get('SignedHeaders') ?? '',
    fields.get('Signature') ?? '',
    amzDate ?? '',
    malformed,
  );
}

function fromQuery(url: URL, now: number): Claimed {
  const q = url.searchParams;
  const malformed = new S3Error('AuthorizationQueryParametersError', 'The X-Amz-* query parameters are malformed.');
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) throw malformed;
  const amzDate = q.get('X-Amz-Date');
  const time = timeOf(amzDate);
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS)
    throw new S3Error(
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}.`,
    );
  if (time - now > MAX_SKEW_MS) throw new S3Error('RequestTimeTooSkewed', 'The request was signed in the future.');
  if (now > time + expires * 1000) throw new S3Error('AccessDenied', 'Request has expired.');
  return claimOf(
    q.get('X-Amz-Credential') ?? '',
    q.get('X-Amz-SignedHeaders') ?? '',
    q.get('X-Amz-Signature') ?? '',
    amzDate ?? '',
    malformed,
  );
}

function payloadHashOf(request: Request, presigned: boolean, signedHeaders: string[]): string {
  const header = request.headers.get('x-amz-content-sha256');
  if (presigned && (header === null || !signedHeaders.includes('x-amz-content-sha256'))) return 'UNSIGNED-PAYLOAD';
  if (header === null)
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  if (!PAYLOAD_FORMS.has(header) && !/^[0-9a-f]{64}$/.test(header))
    throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be a hex SHA-256 or a payload form S3 accepts.');
  return header;
}

/**
 * Checks a request's AWS Signature V4 (an Authorization header, or a presigned URL's query) and answers the signer.
 * The clock is checked before the key is looked up; the signature is compared in constant time; every failure is
 * S3's error for it, and never says whether a key id exists beyond `InvalidAccessKeyId`, as S3 does.
 */
export async function authenticate(
  env: FilesEnv,
  ctx: ExecutionContext,
  request: Request,
  now = Date.now(),
): Promise<S3Caller> {
  const url = new URL(request.url);
  const presigned = url.searchParams.has('X-Amz-Algorithm');
  if (!presigned && !request.headers.has('authorization'))
    throw new S3Error('AccessDenied', 'Anonymous access is not allowed; sign requests with an S3 access key.');
  const claim = presigned ? fromQuery(url, now) : fromHeader(request, now);
  const payloadHash = payloadHashOf(request, presigned, claim.signedHeaders);
  const db = dbOf(env.DB);
  const credential: S3Credential | null = await s3CredentialOf(env, db, claim.accessKeyId);
  if (!credential) throw new S3Error('InvalidAccessKeyId', 'The access key id does not exist in our records.');
  const scope = `${claim.date}/${claim.region}/${claim.service}/aws4_request`;
  const canonical = canonicalRequest({
    method: request.method,
    url,
    headers: request.headers,
    signedHeaders: claim.signedHeaders,
    payloadHash,
    ...(presigned && { omitQuery: 'X-Amz-Signature' }),
  });
  const key = await signingKey(credential.secret, claim.date, claim.region, claim.service);
  const expected = await hmacHex(key, await stringToSign(claim.amzDate, scope, canonical));
  if (!sameSignature(expected, claim.signature))
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  ctx.waitUntil(touchS3Key(db, credential).catch(() => {}));
  return {
    owner: await storedOwner(db, credential.ownerId),
    accessKeyId: credential.accessKeyId,
    payloadHash,
    chunks: { key, amzDate: claim.amzDate, scope, seed: claim.signature.toLowerCase() },
  };
}
