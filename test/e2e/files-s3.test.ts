// The S3-compatible API through the gateway, driven by the real AWS SDK as a server-side tool would use it.

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { api } from './support/http.js';
import { bearer, jsonRequest, registeredUser } from './support/identity.js';

const MiB = 1024 * 1024;

/** A user with an S3 access key, and an SDK client that uses it with the SDK's defaults (checksums included). */
async function s3User(): Promise<{ client: S3Client; token: string }> {
  const { tokens } = await registeredUser();
  const res = await api('/api/v1/files/s3-keys', jsonRequest('POST', { name: 'e2e' }, bearer(tokens.accessToken)));
  expect(res.status, await res.clone().text()).toBe(201);
  const { accessKeyId, secretAccessKey } = (await res.json()) as { accessKeyId: string; secretAccessKey: string };
  const client = new S3Client({
    endpoint: new URL('/s3', inject('baseUrl')).toString(),
    forcePathStyle: true,
    region: 'auto',
    credentials: { accessKeyId, secretAccessKey },
  });
  return { client, token: tokens.accessToken };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed) & 0xff;
  return out;
}

describe('S3 API through the gateway (@aws-sdk/client-s3)', () => {
  it('puts, heads, gets a range, lists with prefix and delimiter, and deletes', async () => {
    const { client } = await s3User();
    const Bucket = 'files';
    const body = 'The quick brown fox jumps over the lazy dog';
    const put = await client.send(
      new PutObjectCommand({ Bucket, Key: 'docs/2026/fox.txt', Body: body, ContentType: 'text/plain' }),
    );
    expect(put.ETag).toBe(`"${sha(new TextEncoder().encode(body))}"`);
    await client.send(new PutObjectCommand({ Bucket, Key: 'docs/readme.txt', Body: 'read me' }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'top.txt', Body: 'top' }));

    const head = await client.send(new HeadObjectCommand({ Bucket, Key: 'docs/2026/fox.txt' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toMatch(/^text\/plain/);
    expect(head.ETag).toBe(put.ETag);

    const range = await client.send(new GetObjectCommand({ Bucket, Key: 'docs/2026/fox.txt', Range: 'bytes=4-8' }));
    expect(range.ContentRange).toBe(`bytes 4-8/${body.length}`);
    expect(await range.Body?.transformToString()).toBe('quick');

    const top = await client.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(top.Contents?.map((o) => o.Key)).toEqual(['top.txt']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/']);
    const docs = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'docs/', Delimiter: '/' }));
    expect(docs.Contents?.map((o) => o.Key)).toEqual(['docs/readme.txt']);
    expect(docs.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/2026/']);
    const paged = await client.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2 }));
    expect(paged.IsTruncated).toBe(true);
    const rest = await client.send(
      new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken: paged.NextContinuationToken }),
    );
    expect([...(paged.Contents ?? []), ...(rest.Contents ?? [])].map((o) => o.Key)).toEqual([
      'docs/2026/fox.txt',
      'docs/readme.txt',
      'top.txt',
    ]);

    // A stream body: the SDK sends it aws-chunked (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with a trailing CRC32.
    const streamed = Readable.from([Buffer.from('streamed '), Buffer.from('in chunks')]);
    await client.send(new PutObjectCommand({ Bucket, Key: 'docs/streamed.txt', Body: streamed, ContentLength: 18 }));
    const back = await client.send(new GetObjectCommand({ Bucket, Key: 'docs/streamed.txt' }));
    expect(await back.Body?.transformToString()).toBe('streamed in chunks');
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'docs/streamed.txt' }));

    await client.send(new DeleteObjectCommand({ Bucket, Key: 'top.txt' }));
    const gone = await client.send(new GetObjectCommand({ Bucket, Key: 'top.txt' })).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(S3ServiceException);
    expect((gone as S3ServiceException).name).toBe('NoSuchKey');
  });

  it('uploads in parts (two of 5 MiB and a small last one) and reads back the exact bytes', async () => {
    const { client } = await s3User();
    const Bucket = 'files';
    const Key = 'backups/large.bin';
    const parts = [pattern(5 * MiB, 1), pattern(5 * MiB, 2), pattern(300_000, 3)];
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    expect(UploadId).toBeTruthy();
    const done = [];
    for (const [i, Body] of parts.entries()) {
      const res = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
      done.push({ PartNumber: i + 1, ETag: res.ETag });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
    const whole = Buffer.concat(parts);
    const got = await client.send(new GetObjectCommand({ Bucket, Key }));
    const bytes = await got.Body?.transformToByteArray();
    expect(bytes?.byteLength).toBe(whole.byteLength);
    expect(sha(bytes ?? new Uint8Array())).toBe(sha(whole));

    const other = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'backups/abandoned.bin' }));
    await client.send(
      new AbortMultipartUploadCommand({ Bucket, Key: 'backups/abandoned.bin', UploadId: other.UploadId }),
    );
  }, 120_000);

  it('keeps one user’s objects from another user’s key and refuses a wrong secret', async () => {
    const alice = await s3User();
    const bob = await s3User();
    await alice.client.send(new PutObjectCommand({ Bucket: 'files', Key: 'secret.txt', Body: 'alice' }));
    const err = await bob.client
      .send(new GetObjectCommand({ Bucket: 'files', Key: 'secret.txt' }))
      .catch((e: unknown) => e);
    expect((err as S3ServiceException).name).toBe('NoSuchKey');
    const listed = await bob.client.send(new ListObjectsV2Command({ Bucket: 'files' }));
    expect(listed.Contents ?? []).toEqual([]);
    const config = await alice.client.config.credentials();
    const forged = new S3Client({
      endpoint: new URL('/s3', inject('baseUrl')).toString(),
      forcePathStyle: true,
      region: 'auto',
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: `${config.secretAccessKey}x` },
    });
    const refused = await forged.send(new ListObjectsV2Command({ Bucket: 'files' })).catch((e: unknown) => e);
    expect((refused as S3ServiceException).name).toBe('SignatureDoesNotMatch');
  });
});
