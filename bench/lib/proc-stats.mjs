// CPU time and memory of the workerd process, read from Linux's /proc. Miniflare does not expose workerd's pid, but
// it spawns workerd as a direct child of this process, which /proc can tell.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** Pids of this process's children whose command is `workerd`; [] where there is no /proc. */
export function findWorkerdPids() {
  if (!existsSync('/proc/self/stat')) return [];
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      // Field 4 of stat is the parent pid; statFields starts at field 3.
      if (comm === 'workerd' && Number(statFields(entry)[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

/** User + system CPU time of the process (all its threads) so far, in milliseconds. */
export function cpuTimeMs(pid) {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of stat.
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** Resident set size now and at its peak, in bytes. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Total CPU time of all of `pids`, in ms; null when there is nothing to read. */
export function totalCpuMs(pids) {
  if (pids.length === 0) return null;
  return pids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
}

export const cpuTickMs = 1000 / CLK_TCK;
