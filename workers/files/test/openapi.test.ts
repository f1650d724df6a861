import { exports } from 'cloudflare:workers';
import { ROUTE_POLICIES, routePolicyFor } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { describe, expect, it } from 'vitest';

const OWNED = ['/api/v1/files', '/api/v1/uploads', '/s3'];
const owned = (path: string) => OWNED.some((p) => path === p || path.startsWith(`${p}/`));

describe('files OpenAPI part', () => {
  it('declares every route with the access the gateway enforces for it, and uses every row of its prefixes', async () => {
    const part = (await exports.FilesService.openapi()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.entries(part.paths)
      .filter(([path]) => owned(path))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
      );
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual([
      'DELETE /api/v1/files/s3-keys/{accessKeyId}',
      'DELETE /api/v1/files/{id}',
      'DELETE /api/v1/files/{id}/public-links/{linkId}',
      'DELETE /api/v1/files/{id}/shares/{userId}',
      'DELETE /api/v1/uploads/{id}',
      'DELETE /s3/{bucket}/{key}',
      'GET /api/v1/files',
      'GET /api/v1/files/public/{token}',
      'GET /api/v1/files/s3-keys',
      'GET /api/v1/files/signed/{id}',
      'GET /api/v1/files/stats',
      'GET /api/v1/files/usage',
      'GET /api/v1/files/{id}',
      'GET /api/v1/files/{id}/content',
      'GET /api/v1/files/{id}/public-links',
      'GET /api/v1/files/{id}/shares',
      'GET /api/v1/uploads/{id}',
      'GET /s3',
      'GET /s3/{bucket}/{key}',
      'HEAD /s3/{bucket}/{key}',
      'OPTIONS /api/v1/uploads',
      'PATCH /api/v1/files/{id}',
      'PATCH /api/v1/uploads/{id}',
      'POST /api/v1/files',
      'POST /api/v1/files/s3-keys',
      'POST /api/v1/files/upload-urls',
      'POST /api/v1/files/upload-urls/{id}',
      'POST /api/v1/files/{id}/public-links',
      'POST /api/v1/files/{id}/restore',
      'POST /api/v1/files/{id}/shares',
      'POST /api/v1/files/{id}/signed-url',
      'POST /api/v1/uploads',
      'POST /s3/{bucket}/{key}',
      'PUT /api/v1/files/upload-urls/{id}',
      'PUT /s3/{bucket}/{key}',
    ]);
    for (const { path, method, op } of operations) {
      expect(routePolicyFor(method, path).access, `${method} ${path}`).toBe(op[ACCESS_EXTENSION]);
    }
    const rows = ROUTE_POLICIES.filter((p) => owned(p.path));
    const rowOf = (p: { method: string; path: string }) => `${p.method} ${p.path}`;
    const used = new Set(operations.map((o) => rowOf(routePolicyFor(o.method, o.path))));
    expect(rows.filter((r) => !used.has(rowOf(r)))).toEqual([]);
  });
});
