// Process-tree figures read straight from Linux /proc: the tree under a pid (by ppid), its summed VmRSS, and
// the processes whose command line mentions a path (to prove no PostgreSQL outlived the platform).
// Read by hand: /proc is the source `ps` itself reads, and no npm package reads whole trees with RSS on Linux.
import { readdir, readFile } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Executable name from /proc/<pid>/stat, e.g. `node`, `postgres`. */
  comm: string;
  rssBytes: number;
}

/** One process's stat and RSS; null when it is gone. */
export async function readProc(pid: number): Promise<ProcInfo | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid ...`: comm may contain spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { pid, ppid, comm, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
  } catch {
    return null; // the process ended while we looked
  }
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Every live process: one pass over /proc. */
export async function listProcesses(): Promise<ProcInfo[]> {
  const infos = await Promise.all((await allPids()).map(readProc));
  return infos.filter((p): p is ProcInfo => p !== null);
}

/** The process `root` and all its descendants (children found by ppid). */
export async function processTree(root: number): Promise<ProcInfo[]> {
  const all = await listProcesses();
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const queue = all.filter((p) => p.pid === root);
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(byParent.get(p.pid) ?? []));
  }
  return out;
}

export interface TreeRss {
  /** Summed VmRSS: pages shared between processes (PostgreSQL's shared buffers) count once per process. */
  totalBytes: number;
  /** Summed Pss from smaps_rollup: shared pages split between their sharers, so the tree's true footprint. */
  pssBytes: number;
  processes: number;
  /** Summed RSS per executable name, e.g. { node: ..., postgres: ... }. */
  byComm: Record<string, number>;
  /** Summed Pss per role: which process holds the memory (PostgreSQL's server and backends are one). */
  pssByRole: Partial<Record<PlatformRole, number>>;
}

async function pss(pid: number): Promise<number> {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed VmRSS (as `ps` shows it) and Pss of the tree under `root`, with RSS per executable name. */
export async function treeRss(root: number): Promise<TreeRss> {
  const tree = await processTree(root);
  const byComm: Record<string, number> = {};
  for (const p of tree) byComm[p.comm] = (byComm[p.comm] ?? 0) + p.rssBytes;
  const pssAll = await Promise.all(tree.map((p) => pss(p.pid)));
  const roles = await Promise.all(tree.map(async (p) => roleOf(p.comm, await cmdline(p.pid))));
  const pssByRole: Partial<Record<PlatformRole, number>> = {};
  roles.forEach((r, i) => {
    pssByRole[r] = (pssByRole[r] ?? 0) + pssAll[i];
  });
  return {
    totalBytes: tree.reduce((a, p) => a + p.rssBytes, 0),
    pssBytes: pssAll.reduce((a, b) => a + b, 0),
    processes: tree.length,
    byComm,
    pssByRole,
  };
}

async function cmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return ''; // ended meanwhile
  }
}

/** What a process of the platform's tree is, from its command line. */
export type PlatformRole = 'orchestrator' | 'gateway' | 'api' | 'inventory' | 'postgres' | 'other';

export function roleOf(comm: string, cmdline: string): PlatformRole {
  if (comm === 'postgres' || cmdline.startsWith('postgres')) return 'postgres';
  for (const s of ['gateway', 'api', 'inventory'] as const) if (cmdline.includes(`sut/${s}/src/server.ts`)) return s;
  return cmdline.includes('orchestrator/src/main.ts') ? 'orchestrator' : 'other';
}

/** Pids of live processes whose command line contains `needle` (e.g. a temp data folder). */
export async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await allPids()) {
    if (pid === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (cmd.includes(needle)) found.push(pid);
    } catch {
      /* ended meanwhile */
    }
  }
  return found;
}

/** Samples the tree every `everyMs` until `stop()`; returns the peaks and the means of RSS and Pss. */
export interface RssSamples {
  peakBytes: number;
  meanBytes: number;
  samples: number;
  /** The tree at its RSS peak. */
  peak: TreeRss | null;
  /** Pss, the figure the memory target is judged on: its peak, its mean, and the tree at that peak. */
  peakPssBytes: number;
  meanPssBytes: number;
  peakPss: TreeRss | null;
}

export function sampleTreeRss(root: number, everyMs = 1000): { stop(): Promise<RssSamples> } {
  let peak: TreeRss | null = null;
  let peakPss: TreeRss | null = null;
  let pssSum = 0;
  let sum = 0;
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await treeRss(root);
      if (r.processes > 0) {
        sum += r.totalBytes;
        pssSum += r.pssBytes;
        n++;
        if (!peak || r.totalBytes > peak.totalBytes) peak = r;
        if (!peakPss || r.pssBytes > peakPss.pssBytes) peakPss = r;
      }
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const p = peak as TreeRss | null;
      const pp = peakPss as TreeRss | null;
      return {
        peakBytes: p?.totalBytes ?? 0,
        meanBytes: n ? sum / n : 0,
        samples: n,
        peak: p,
        peakPssBytes: pp?.pssBytes ?? 0,
        meanPssBytes: n ? pssSum / n : 0,
        peakPss: pp,
      };
    },
  };
}
