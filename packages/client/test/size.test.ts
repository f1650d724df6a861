import { describe, expect, it } from 'vitest';

// The bench script is plain JavaScript outside this package: loaded by URL, typed here.
const script = new URL('../../../bench/client-size.mjs', import.meta.url).href;
const { bundleClient, clientSizeGzip, CLIENT_LIMIT_GZIP } = (await import(script)) as {
  bundleClient: (platform: 'browser' | 'neutral') => Promise<{ code: string; gzip: number }>;
  clientSizeGzip: () => Promise<number>;
  CLIENT_LIMIT_GZIP: number;
};

describe('bundle', () => {
  it('stays under 15 KB gzip, minified for the browser', async () => {
    const gzip = await clientSizeGzip();
    expect(CLIENT_LIMIT_GZIP).toBe(15_000);
    expect(gzip).toBeGreaterThan(1000);
    expect(gzip).toBeLessThan(CLIENT_LIMIT_GZIP);
  });

  it('bundles for a neutral platform: no Node built-in is imported', async () => {
    const neutral = await bundleClient('neutral');
    expect(neutral.code).toContain('OnasisError');
    expect(neutral.code).not.toMatch(/from\s*["']node:/);
  });
});
