import { defineConfig } from 'vitest/config';

// The end-to-end suite: plain Node tests that drive the real seven-Worker stack (one `wrangler dev`, started by the
// global setup) over HTTP, as a client would. Not the Cloudflare pool: nothing here runs inside workerd.
export default defineConfig({
  test: {
    name: 'e2e',
    root: import.meta.dirname,
    environment: 'node',
    include: ['*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    // One file at a time: the platform is shared, and the metrics tests assert exact counter deltas that requests
    // from another file would disturb. Every request here takes milliseconds, so little is lost.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
