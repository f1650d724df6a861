// The console's first load as a browser makes it: the page's entry script, every chunk it imports statically, the
// overview page's own chunk (the first screen after sign-in) and their CSS, each gzipped as the network carries
// them. Built by Vite into a scratch directory with its manifest, so the figure is of the code as it is now. The
// issue's budget is 200 KB gzip of JavaScript; run as a script it prints the figures and exits 1 at or over it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = join(root, 'workers', 'gateway', 'console');
const FIRST_PAGE = 'src/pages/overview/overview.tsx';
/** The budget for the console's first-load JavaScript: under 200 KB (200,000 bytes) gzip. */
export const CONSOLE_LIMIT_GZIP = 200_000;

/** First-load JavaScript and CSS of the console in bytes (raw and gzip), and every chunk the console has. */
export function consoleSizes() {
  const outDir = mkdtempSync(join(tmpdir(), 'onasis-console-'));
  try {
    const vite = spawnSync(
      join(root, 'workers/gateway/node_modules/.bin/vite'),
      ['build', '--config', join(CONSOLE, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--manifest'],
      { cwd: CONSOLE, encoding: 'utf8' },
    );
    if (vite.status !== 0) throw new Error(`vite build failed:\n${vite.stdout}${vite.stderr}`);
    const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'));
    const js = new Set();
    const css = new Set();
    const visit = (key) => {
      const chunk = manifest[key];
      if (!chunk || js.has(chunk.file)) return;
      js.add(chunk.file);
      for (const file of chunk.css ?? []) css.add(file);
      for (const child of chunk.imports ?? []) visit(child);
    };
    visit('index.html');
    visit(FIRST_PAGE);
    const size = (files) =>
      [...files].reduce(
        (sum, file) => {
          const bytes = readFileSync(join(outDir, file));
          return { raw: sum.raw + bytes.byteLength, gzip: sum.gzip + gzipSync(bytes, { level: 9 }).byteLength };
        },
        { raw: 0, gzip: 0 },
      );
    const all = Object.values(manifest).filter((c) => c.file.endsWith('.js'));
    return { firstLoadJs: size(js), firstLoadCss: size(css), firstLoadFiles: [...js, ...css], chunks: all.length };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = consoleSizes();
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const ok = sizes.firstLoadJs.gzip < CONSOLE_LIMIT_GZIP;
  console.log(
    `console first load: JS ${kb(sizes.firstLoadJs.raw)} minified, ${kb(sizes.firstLoadJs.gzip)} gzip; ` +
      `CSS ${kb(sizes.firstLoadCss.gzip)} gzip; ${sizes.firstLoadFiles.length} files of ${sizes.chunks} chunks; ` +
      `budget ${kb(CONSOLE_LIMIT_GZIP)} gzip JS: ${ok ? 'under' : 'OVER'}`,
  );
  process.exit(ok ? 0 : 1);
}
