import { defineConfig } from 'vite';

// Built into the gateway's static assets (workers/gateway/public/console, not committed) by scripts/static-assets.mjs;
// the gateway serves it at /console. Pages load lazily, one chunk per area, so the first load stays small.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  build: {
    outDir: '../public/console',
    emptyOutDir: true,
    target: 'es2022',
    // The page's CSP forbids inline script, so no module-preload polyfill (every supported browser has it).
    modulePreload: { polyfill: false },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
