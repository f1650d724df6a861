import { defineConfig } from 'vitest/config';

// One project per Worker and package (each runs inside workerd), plus the end-to-end suite against the real stack.
export default defineConfig({
  test: {
    projects: ['workers/*/vitest.config.ts', 'packages/*/vitest.config.ts', 'test/*/vitest.config.ts'],
  },
});
