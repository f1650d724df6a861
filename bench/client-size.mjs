// The size of `@onasis/client` as an app ships it: packages/client/src/index.ts bundled with its dependencies by
// esbuild, minified for the browser, gzipped. The budget is 15 KB gzip; run as a script it prints the
// figures and exits 1 at or over the budget.
//
// The same bundle is built for `platform: 'neutral'` too: it fails when any module reaches for a Node built-in,
// which would break the client in browsers and Workers.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
// esbuild through wrangler's own dependency, as bench/lib/stack.mjs does: no second copy to install.
const esbuild = createRequire(require.resolve('wrangler'))('esbuild');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(root, 'packages', 'client', 'src', 'index.ts');
/** The budget for the client: under 15 KB (15,000 bytes) gzip. */
export const CLIENT_LIMIT_GZIP = 15_000;

/** Bundles the client minified for `platform` and answers its raw and gzip bytes. */
export async function bundleClient(platform = 'browser') {
  const out = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Node built-ins are not there in browsers or Workers: an import of one must fail the build, not be left out.
    ...(platform === 'neutral' ? { mainFields: ['module', 'main'] } : {}),
  });
  const bytes = out.outputFiles[0].contents;
  return { code: out.outputFiles[0].text, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
}

/** The client's minified browser bundle, gzipped, in bytes. */
export async function clientSizeGzip() {
  return (await bundleClient('browser')).gzip;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const browser = await bundleClient('browser');
  await bundleClient('neutral');
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const ok = browser.gzip < CLIENT_LIMIT_GZIP;
  console.log(
    `@onasis/client: ${kb(browser.raw)} minified, ${kb(browser.gzip)} gzip (${browser.gzip} B), ` +
      `budget ${kb(CLIENT_LIMIT_GZIP)}: ${ok ? 'under' : 'OVER'}; no Node built-in imported`,
  );
  if (!ok) process.exit(1);
}
