import { exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallInit, forwardTo } from '@onasis/testing';
import { AwsClient } from 'aws4fetch';
import { expect } from 'vitest';

/** A member with a fresh id, so that tests sharing the database never share files or keys. */
export function s3Member(): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return { userId, sessionId: `ses_${userId}`, permissions: ['files:read', 'files:write'], via: 'access_token' };
}

const forward = forwardTo('files', () => exports.FilesService);

/** A JSON API request as the gateway forwards it, as `as`. */
export const apiCall = (path: string, init: CallInit, as: Principal) => forward(path, init, { principal: as });

/** An access key as `POST /api/v1/files/s3-keys` answers it. */
export interface NewKey {
  accessKeyId: string;
  secretAccessKey: string;
  name: string | null;
  createdAt: string;
}

/** Creates an access key for `as`, failing the test on anything but 201. */
export async function createKey(as: Principal, name?: string): Promise<NewKey> {
  const res = await apiCall('/api/v1/files/s3-keys', { json: name === undefined ? {} : { name } }, as);
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<NewKey>();
}

/** The test origin S3 requests are signed for. */
export const ORIGIN = 'https://files.test';

/** Options of one signed S3 request. */
export interface S3Init {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** When and where the signer thinks it is (`YYYYMMDDTHHMMSSZ`), to test skew. */
  datetime?: string;
  region?: string;
  /** Sign a presigned URL instead of an Authorization header. */
  signQuery?: boolean;
}

/** A client that signs S3 requests with `key` (aws4fetch, a real SigV4 signer) and sends them to the Worker. */
export function s3Client(key: Pick<NewKey, 'accessKeyId' | 'secretAccessKey'>) {
  return {
    /** The signed Request, unsent. */
    async sign(path: string, init: S3Init = {}): Promise<Request> {
      const client = new AwsClient({
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        service: 's3',
        region: init.region ?? 'auto',
      });
      return client.sign(`${ORIGIN}${path}`, {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        body: init.body ?? null,
        aws: { datetime: init.datetime, signQuery: init.signQuery, allHeaders: false },
      });
    },
    /** Signs and sends. */
    async send(path: string, init: S3Init = {}): Promise<Response> {
      return exports.default.fetch(await this.sign(path, init));
    },
  };
}

/** The `<Code>` of an S3 XML error answer. */
export async function s3Code(res: Response): Promise<string | undefined> {
  expect(res.headers.get('content-type')).toBe('application/xml');
  return /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];
}

/** Text of every `<tag>` in an XML document, in order. */
export function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

/** SHA-256 of bytes, hex. */
export async function sha256(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', data))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/** An AWS `x-amz-date` for a moment `offsetMs` from now. */
export const amzDate = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString().replace(/[:-]|\.\d{3}/g, '');
