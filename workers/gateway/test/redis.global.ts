import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * Starts a real Redis (Debian's redis-server) and two Upstash REST servers (@humanwhocodes/upstash-redis-server):
 * one in front of that Redis and one whose Redis is not running, plus a shim in front of the first that makes
 * current @upstash/ratelimit scripts acceptable to vanilla Redis (see `stripUpstashFlags`). Tests read the URLs with
 * `inject('upstash')`. Each server runs in its own process group and is stopped by group id.
 */

export interface UpstashTestServers {
  token: string;
  /** The shim in front of a live Redis. */
  url: string;
  /** A REST server whose Redis is down: it accepts requests and answers none in time. */
  redisDownUrl: string;
  /** A port nothing listens on: every connection is refused. */
  deadUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    upstash: UpstashTestServers;
  }
}

const TOKEN = 'test-upstash-token';
const SERVER_JS = new URL('../node_modules/@humanwhocodes/upstash-redis-server/dist/server.js', import.meta.url)
  .pathname;
/** The Upstash-only shebang flag that vanilla Redis refuses (`ERR Unexpected flag in script shebang`). */
const UPSTASH_SHEBANG = /^#!lua flags=allow-key-locking[^\n]*\n/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

function start(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(command, args, { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
}

function stop(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Rewrites one command for vanilla Redis: EVAL loses the Upstash shebang flag (single-threaded Redis runs every script
 * atomically, so the flag changes nothing here), and EVALSHA of a flagged script this shim has seen becomes EVAL of
 * its stripped text. An EVALSHA of a script not seen yet goes through unchanged, and Redis answers NOSCRIPT, which
 * makes the client fall back to EVAL, exactly as it does against Upstash.
 */
function stripUpstashFlags(command: unknown, scripts: Map<string, string>): unknown {
  if (!Array.isArray(command) || typeof command[0] !== 'string' || typeof command[1] !== 'string') return command;
  const name = command[0].toUpperCase();
  if (name === 'EVAL' && UPSTASH_SHEBANG.test(command[1])) {
    const stripped = command[1].replace(UPSTASH_SHEBANG, '');
    scripts.set(createHash('sha1').update(command[1]).digest('hex'), stripped);
    return ['EVAL', stripped, ...command.slice(2)];
  }
  if (name === 'EVALSHA') {
    const stripped = scripts.get(command[1]);
    if (stripped !== undefined) return ['EVAL', stripped, ...command.slice(2)];
  }
  return command;
}

function startShim(target: string): Promise<Server> {
  const scripts = new Map<string, string>();
  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      let body: unknown = JSON.parse(raw);
      if (req.url === '/pipeline' && Array.isArray(body)) body = body.map((c) => stripUpstashFlags(c, scripts));
      else body = stripUpstashFlags(body, scripts);
      const upstream = await fetch(`${target}${req.url ?? '/'}`, {
        method: 'POST',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    } catch (err) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(err) }));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const children: ChildProcess[] = [];
  let shim: Server | undefined;
  const teardown = async () => {
    for (const child of children) stop(child);
    await new Promise<void>((resolve) => (shim ? shim.close(() => resolve()) : resolve()));
  };
  try {
    const redisPort = await freePort();
    const redis = start('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    children.push(redis);
    await waitForPort(redisPort, redis, 'redis-server');

    const restPort = await freePort();
    const rest = start(process.execPath, [SERVER_JS], {
      URS_TOKEN: TOKEN,
      PORT: String(restPort),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    children.push(rest);
    const downPort = await freePort();
    const noRedisPort = await freePort();
    const down = start(process.execPath, [SERVER_JS], {
      URS_TOKEN: TOKEN,
      PORT: String(downPort),
      REDIS_URL: `redis://127.0.0.1:${noRedisPort}`,
    });
    children.push(down);
    await waitForPort(restPort, rest, 'upstash-redis-server');
    await waitForPort(downPort, down, 'upstash-redis-server (Redis down)');

    shim = await startShim(`http://127.0.0.1:${restPort}`);
    const address = shim.address();
    if (typeof address !== 'object' || address === null) throw new Error('shim has no address');
    project.provide('upstash', {
      token: TOKEN,
      url: `http://127.0.0.1:${address.port}`,
      redisDownUrl: `http://127.0.0.1:${downPort}`,
      deadUrl: `http://127.0.0.1:${await freePort()}`,
    });
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
