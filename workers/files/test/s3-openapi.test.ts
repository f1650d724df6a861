import { exports } from 'cloudflare:workers';
import { routePolicyFor } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { describe, expect, it } from 'vitest';

describe('S3 OpenAPI operations', () => {
  it('documents the S3 API and its keys with the access the gateway enforces', async () => {
    const part = (await exports.FilesService.openapi()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(part.paths)
      .filter(([path]) => path.startsWith('/s3') || path.startsWith('/api/v1/files/s3-keys'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual([
      'DELETE /api/v1/files/s3-keys/{accessKeyId}',
      'DELETE /s3/{bucket}/{key}',
      'GET /api/v1/files/s3-keys',
      'GET /s3',
      'GET /s3/{bucket}/{key}',
      'HEAD /s3/{bucket}/{key}',
      'POST /api/v1/files/s3-keys',
      'POST /s3/{bucket}/{key}',
      'PUT /s3/{bucket}/{key}',
    ]);
    for (const { path, method, op } of operations) {
      expect(op[ACCESS_EXTENSION], `${method} ${path}`).toBe(routePolicyFor(method.toUpperCase(), path).access);
      expect(op).not.toHaveProperty('middleware');
    }
  });
});
