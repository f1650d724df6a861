import { defineConfig } from 'vitest/config';

// The client is plain fetch code: its tests run in Node against local HTTP servers (no workerd needed).
export default defineConfig({
  test: { name: 'client', environment: 'node' },
});
