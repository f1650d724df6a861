// Copies the API reference's browser bundle into the gateway's static assets, so /docs works offline and its
// Content-Security-Policy can allow scripts from 'self' only. Runs after every `pnpm install` (the bundle is a
// build output of the @scalar/api-reference package, not source to commit).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from './workers.mjs';

// The package's exports map hides its files, so the path goes through the gateway's own node_modules link.
const bundle = join(root, 'workers/gateway/node_modules/@scalar/api-reference/dist/browser/standalone.js');
const target = join(root, 'workers', 'gateway', 'public', 'docs', 'assets', 'api-reference.js');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(bundle, target);
