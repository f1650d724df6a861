import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { amzDate, apiCall, createKey, ORIGIN, s3Client, s3Code, s3Member } from './support/s3-client.js';

describe('S3 signature checks', () => {
  it('answers ListBuckets to a request signed with a live key, in any region', async () => {
    const key = await createKey(s3Member());
    for (const region of ['auto', 'us-east-1']) {
      const res = await s3Client(key).send('/s3', { region });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(await res.text()).toContain('<Bucket><Name>files</Name>');
    }
  });

  it('refuses an unsigned request with AccessDenied, as XML', async () => {
    const res = await exports.default.fetch(`${ORIGIN}/s3/files?list-type=2`);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe('AccessDenied');
  });

  it('refuses a wrong secret, an unknown key and a revoked key', async () => {
    const alice = s3Member();
    const key = await createKey(alice);
    const wrong = await s3Client({ ...key, secretAccessKey: `${key.secretAccessKey}x` }).send('/s3');
    expect(wrong.status).toBe(403);
    expect(await s3Code(wrong)).toBe('SignatureDoesNotMatch');
    const unknown = await s3Client({ ...key, accessKeyId: 'ONASAAAAAAAAAAAAAAAA' }).send('/s3');
    expect(await s3Code(unknown)).toBe('InvalidAccessKeyId');
    await apiCall(`/api/v1/files/s3-keys/${key.accessKeyId}`, { method: 'DELETE' }, alice);
    const revoked = await s3Client(key).send('/s3');
    expect(revoked.status).toBe(403);
    expect(await s3Code(revoked)).toBe('InvalidAccessKeyId');
  });

  it('refuses a request signed more than 15 minutes away from now', async () => {
    const key = await createKey(s3Member());
    for (const offset of [-20 * 60_000, 20 * 60_000]) {
      const res = await s3Client(key).send('/s3', { datetime: amzDate(offset) });
      expect(res.status).toBe(403);
      expect(await s3Code(res)).toBe('RequestTimeTooSkewed');
    }
    const close = await s3Client(key).send('/s3', { datetime: amzDate(-5 * 60_000) });
    expect(close.status).toBe(200);
  });

  it('refuses a request changed after signing', async () => {
    const key = await createKey(s3Member());
    const signed = await s3Client(key).sign('/s3/files?list-type=2&prefix=a');
    const tampered = new Request(signed.url.replace('prefix=a', 'prefix=b'), signed);
    const res = await exports.default.fetch(tampered);
    expect(await s3Code(res)).toBe('SignatureDoesNotMatch');
    const otherHeader = new Request(signed, { headers: new Headers(signed.headers) });
    otherHeader.headers.set('x-amz-date', amzDate(1000));
    expect(await s3Code(await exports.default.fetch(otherHeader))).toMatch(
      /SignatureDoesNotMatch|AuthorizationHeaderMalformed/,
    );
  });

  it('accepts a presigned URL until it expires', async () => {
    const key = await createKey(s3Member());
    const presigned = await s3Client(key).sign('/s3/files?list-type=2&X-Amz-Expires=60', { signQuery: true });
    expect(presigned.headers.get('authorization')).toBeNull();
    expect((await exports.default.fetch(presigned.url)).status).toBe(200);
    const old = await s3Client(key).sign('/s3/files?list-type=2&X-Amz-Expires=60', {
      signQuery: true,
      datetime: amzDate(-120_000),
    });
    const expired = await exports.default.fetch(old.url);
    expect(await s3Code(expired)).toBe('AccessDenied');
    const forged = new URL(presigned.url);
    forged.searchParams.set('X-Amz-Expires', '600');
    expect(await s3Code(await exports.default.fetch(forged))).toBe('SignatureDoesNotMatch');
  });

  it('records when a key was last used', async () => {
    const alice = s3Member();
    const key = await createKey(alice);
    await s3Client(key).send('/s3');
    const list = await apiCall('/api/v1/files/s3-keys', {}, alice);
    const [row] = (await list.json<{ data: { lastUsedAt: string | null }[] }>()).data;
    expect(row?.lastUsedAt).not.toBeNull();
  });

  it('answers NoSuchBucket for any bucket but files, and NotImplemented for operations not offered', async () => {
    const key = await createKey(s3Member());
    const other = await s3Client(key).send('/s3/photos?list-type=2');
    expect(other.status).toBe(404);
    expect(await s3Code(other)).toBe('NoSuchBucket');
    const create = await s3Client(key).send('/s3/files', { method: 'PUT' });
    expect(create.status).toBe(501);
    expect(await s3Code(create)).toBe('NotImplemented');
  });
});
