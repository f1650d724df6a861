// Reading the Prometheus text exposition format (0.0.4), and validating it with Prometheus's own `promtool`.
import { spawn } from 'node:child_process';

/** One sample line: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

/** Every sample of an exposition; throws on a line that is neither a comment nor a sample. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m?.[1] || m[3] === undefined) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let lm = LABEL.exec(body); lm; lm = LABEL.exec(body)) {
      if (lm[1] === undefined || lm[2] === undefined) break;
      labels[lm[1]] = unescapeLabel(lm[2]);
      consumed = LABEL.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`unreadable labels: ${line}`);
    samples.push({ name: m[1], labels, value: parseValue(m[3]) });
  }
  return samples;
}

/** The samples of `name` whose labels include all of `labels`. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample of `name` with exactly `labels`' values for those keys; 0 when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samplesOf(samples, name, labels);
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matching[0]?.value ?? 0;
}

/** The `# TYPE` of every metric family in an exposition. */
export function familyTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (m[1] && m[2]) types.set(m[1], m[2]);
  }
  return types;
}

/**
 * Runs `promtool check metrics` on `text`. Rejects with an install hint when promtool is missing, so a test that
 * needs it fails rather than passing unchecked.
 */
export function promtoolCheck(text: string): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'promtool is not installed, so the metrics exposition cannot be validated. Install the Debian package ' +
                '`prometheus` (apt-get update && apt-get install -y prometheus), which provides /usr/bin/promtool.',
            )
          : err,
      );
    });
    child.on('close', (exitCode) => resolve({ exitCode, output }));
    child.stdin.on('error', () => {
      // promtool may exit before reading everything; its exit code and output tell why.
    });
    child.stdin.end(text);
  });
}
