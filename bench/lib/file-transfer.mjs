// File transfer through the gateway against the bare R2 Worker (bench/workers/direct-r2.mjs): upload and download
// MiB/s as ratios, judged on paired rounds (each round moves the same bytes both ways through both, in turn);
// workerd's memory growth while one large upload streams through; and the bytes deduplication saves.
import { randomBytes } from 'node:crypto';
import { memory } from './proc-stats.mjs';
import { BENCH_USER } from './stack.mjs';

const MiB = 1024 * 1024;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A body of `bytes` random bytes whose first 8 bytes make it unique, so that no two uploads deduplicate. */
function uniqueBody(base, n) {
  const body = Buffer.from(base);
  body.writeBigUInt64BE(BigInt(n), 0);
  return body;
}

async function signIn(gatewayUrl) {
  const res = await fetch(new URL('/auth/login', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
  });
  if (res.status !== 200) throw new Error(`bench sign-in answered ${res.status}`);
  return `Bearer ${(await res.json()).accessToken}`;
}

/** Runs `count` transfers `concurrency` at a time and answers MiB/s over the whole batch. */
async function timed(count, concurrency, bytes, one, problems) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      try {
        await one(i);
      } catch (err) {
        problems.push(String(err.message ?? err).slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (count * bytes) / MiB / ((performance.now() - started) / 1000);
}

async function expectStatus(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/**
 * Paired rounds of uploads and downloads of `fileMiB` MiB, `perRound` per side per round, `concurrency` at a time,
 * then a `bigMiB` MiB upload with workerd's RSS sampled every 20 ms, then `dedupeUploads` uploads of
 * `dedupeDistinct` distinct files (each uploaded the same number of times) and the bytes that ended in R2.
 */
export async function measureFileTransfer({
  gatewayUrl,
  ceilingUrl,
  miniflare,
  pid,
  fileMiB,
  rounds,
  perRound,
  concurrency,
  bigMiB,
  dedupeUploads,
  dedupeDistinct,
}) {
  const problems = [];
  const authorization = await signIn(gatewayUrl);
  const bytes = fileMiB * MiB;
  const base = randomBytes(bytes);
  let serial = 0;
  const upload = async (body, name, type = 'application/octet-stream') => {
    const res = await fetch(new URL(`/api/v1/files?name=${encodeURIComponent(name)}&folder=bench`, gatewayUrl), {
      method: 'POST',
      headers: { authorization, 'content-type': type },
      body,
    });
    await expectStatus(res, 201, `upload ${name}`);
    return res.json();
  };
  const remove = async (id) => {
    const res = await fetch(new URL(`/api/v1/files/${id}?permanent=true`, gatewayUrl), {
      method: 'DELETE',
      headers: { authorization },
    });
    await expectStatus(res, 204, `delete ${id}`);
  };

  // Alternating which side goes first, so that neither always meets a warmer or colder machine.
  const pair = async (round, gatewaySide, ceilingSide) => {
    if (round % 2 === 0) {
      const gateway = await gatewaySide();
      return { gateway, ceiling: await ceilingSide() };
    }
    const ceiling = await ceilingSide();
    return { gateway: await gatewaySide(), ceiling };
  };
  const uploadRatios = [];
  const downloadRatios = [];
  const rates = { upload: { gateway: [], ceiling: [] }, download: { gateway: [], ceiling: [] } };
  for (let round = 0; round < rounds; round++) {
    const ids = [];
    const keys = [];
    const up = await pair(
      round,
      () =>
        timed(
          perRound,
          concurrency,
          bytes,
          async () => {
            const n = ++serial;
            const file = await upload(uniqueBody(base, n), `transfer-${n}.bin`);
            if (file.size !== bytes) throw new Error(`upload stored ${file.size} bytes, not ${bytes}`);
            ids.push(file.id);
          },
          problems,
        ),
      () =>
        timed(
          perRound,
          concurrency,
          bytes,
          async () => {
            const key = `transfer-${++serial}`;
            const res = await fetch(new URL(`/objects/${key}`, ceilingUrl), {
              method: 'PUT',
              body: uniqueBody(base, serial),
            });
            await expectStatus(res, 201, `ceiling upload ${key}`);
            await res.arrayBuffer();
            keys.push(key);
          },
          problems,
        ),
    );
    const download = (urlOf, headers) =>
      timed(
        perRound,
        concurrency,
        bytes,
        async (i) => {
          const res = await fetch(urlOf(i), { headers });
          await expectStatus(res, 200, 'download');
          const got = (await res.arrayBuffer()).byteLength;
          if (got !== bytes) throw new Error(`download answered ${got} bytes, not ${bytes}`);
        },
        problems,
      );
    const down = await pair(
      round,
      () => download((i) => new URL(`/api/v1/files/${ids[i % ids.length]}/content`, gatewayUrl), { authorization }),
      () => download((i) => new URL(`/objects/${keys[i % keys.length]}`, ceilingUrl), {}),
    );
    for (const id of ids) await remove(id).catch((err) => problems.push(String(err.message)));
    for (const key of keys) await fetch(new URL(`/objects/${key}`, ceilingUrl), { method: 'DELETE' });
    rates.upload.gateway.push(up.gateway);
    rates.upload.ceiling.push(up.ceiling);
    rates.download.gateway.push(down.gateway);
    rates.download.ceiling.push(down.ceiling);
    uploadRatios.push(up.gateway / up.ceiling);
    downloadRatios.push(down.gateway / down.ceiling);
  }

  // One large upload, workerd's RSS sampled while it streams: the body must never be held whole.
  const rssBefore = memory(pid).rssBytes;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, memory(pid).rssBytes);
  }, 20);
  const big = await upload(randomBytes(bigMiB * MiB), `big-${Date.now()}.bin`).catch((err) => {
    problems.push(String(err.message));
    return null;
  });
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, memory(pid).rssBytes);
  if (big) await remove(big.id).catch((err) => problems.push(String(err.message)));

  // Deduplication: `dedupeDistinct` distinct files, each uploaded dedupeUploads / dedupeDistinct times by name.
  const dedupeBytes = 256 * 1024;
  const distinct = Array.from({ length: dedupeDistinct }, () => randomBytes(dedupeBytes));
  const dedupeIds = [];
  await timed(
    dedupeUploads,
    concurrency,
    dedupeBytes,
    async (i) => {
      const file = await upload(distinct[i % dedupeDistinct], `dedupe-${i}.bin`);
      dedupeIds.push(file);
    },
    problems,
  );
  const db = await miniflare.getD1Database('DB', 'onasis-files');
  const hashes = [...new Set(dedupeIds.map((f) => f.sha256))];
  const stored = await db
    .prepare(
      `SELECT COALESCE(SUM(stored_size), 0) AS bytes, COUNT(*) AS blobs FROM blobs WHERE sha256 IN (SELECT value FROM json_each(?))`,
    )
    .bind(JSON.stringify(hashes))
    .first();
  for (const file of dedupeIds) await remove(file.id).catch((err) => problems.push(String(err.message)));

  return {
    fileMiB,
    rounds,
    perRound,
    concurrency,
    upload: {
      gatewayMiBps: median(rates.upload.gateway),
      ceilingMiBps: median(rates.upload.ceiling),
      ratio: median(uploadRatios),
      ratioMin: Math.min(...uploadRatios),
      ratioMax: Math.max(...uploadRatios),
    },
    download: {
      gatewayMiBps: median(rates.download.gateway),
      ceilingMiBps: median(rates.download.ceiling),
      ratio: median(downloadRatios),
      ratioMin: Math.min(...downloadRatios),
      ratioMax: Math.max(...downloadRatios),
    },
    bigUpload: { mib: bigMiB, rssBeforeBytes: rssBefore, rssPeakBytes: rssPeak, growthBytes: rssPeak - rssBefore },
    dedupe: {
      uploads: dedupeUploads,
      distinct: dedupeDistinct,
      fileBytes: dedupeBytes,
      naiveBytes: dedupeUploads * dedupeBytes,
      storedBytes: stored.bytes,
      blobs: stored.blobs,
    },
    problems,
  };
}
