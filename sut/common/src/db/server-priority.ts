import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The niceness a CPU-bound PostgreSQL backend gets, and how one is told. In production the database has a
 * machine of its own; here it shares two or four cores with the services and the orchestrator (the lesson page,
 * the load generator, the judge). While the stock index is missing (db-slow-query) ~25 backends each scan 500k
 * rows, and every Node process of the platform waited 1.4-1.9 s of each 2 s for a core: a fix took up to 2.3 s
 * to be answered and the load generator's clock drifted with it.
 *
 * Niceness alone does not reach them: each backend calls `setsid()`, and with Linux's scheduler autogroups (on
 * in most desktop kernels) every session is a scheduling group of its own, weighed against the others whatever
 * its processes' niceness, so each scanning backend weighed as much as the whole platform. What counts is the
 * autogroup's niceness (`/proc/<pid>/autogroup`), which the owner of a process may raise and lower again.
 *
 * Only backends that hog a core are lowered, like a batch job: every backend at 10 made the shop's own short
 * queries wait behind the services at high load (the catalogue's p99 at 1000 req/s 88-137 ms against 25-36 ms).
 * A backend runnable (running or waiting for a core) for `hogShare` of a scan's interval is lowered; it gets
 * its weight back after `calmScans` scans in a row runnable for less than that. A new backend
 * starts lowered and earns its weight the same way: when the database is already saturated, new connections
 * come in a burst (the wrong fix's 20 more) and the scan that would see them hog is itself waiting for a core.
 * The slow return matters too: a backend serving one long scan after another is idle for a moment between
 * them, and raised then, it took the core back at each new query (half the scanning backends were lowered).
 */
export const hogNice = 10;
const hogShare = 0.6;
const calmScans = 10;
/** How often the server's processes are looked at: a long scan is lowered within ~200 ms. */
const scanIntervalMs = 100;

interface Backend {
  /** Running plus waiting time (ns, /proc/<pid>/schedstat) at the last scan. */
  runnable: number;
  lowered: boolean;
  /** Scans in a row it was runnable for less than `hogShare` of. */
  calm: number;
}

/** The autogroup's niceness, or null when the process is gone or the kernel has no autogroups. */
function autogroupOf(pid: number): { group: string; nice: number } | null {
  try {
    const [group, , nice] = readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().split(' ');
    return { group, nice: Number(nice) };
  } catch {
    return null;
  }
}

function runnableNs(pid: number): number | null {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
    return Number(run) + Number(wait);
  } catch {
    return null;
  }
}

/**
 * Watches the processes a PostgreSQL server forks (Linux: `/proc/<pid>/task/<pid>/children`) and sets the
 * autogroup niceness of each one that hogs a core to `hogNice`, back to 0 once it has calmed down. Elsewhere,
 * or on a kernel without autogroups, it does nothing: there is no per-session group to outweigh the platform.
 * A refusal (a sandbox, another user) is logged once and leaves the priority as it was.
 */
export function keepServerInCheck(postmasterPid: () => number | undefined, onLog?: (line: string) => void) {
  const ownGroup = autogroupOf(process.pid);
  const canList = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
  if (!ownGroup || !canList) return { stop() {} };
  const backends = new Map<number, Backend>();
  let watched: number | undefined;
  let postmasterGroup: string | undefined;
  let warned = false;
  let last = performance.now();

  /** True when the change was made or is not needed; false to try again at the next scan. */
  const setGroupNice = (pid: number, nice: number): boolean => {
    const g = autogroupOf(pid);
    if (!g) return true;
    // A child listed right after its fork has not called setsid() yet and still shares the postmaster's group
    // (which is the platform's own when it was started from the same terminal): never touch that one.
    if (g.group === postmasterGroup || g.group === ownGroup.group) return false;
    if (g.nice === nice) return true;
    try {
      writeFileSync(`/proc/${pid}/autogroup`, String(nice));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Without CAP_SYS_ADMIN the kernel takes one autogroup change per 100 ms, machine-wide: try again later.
      if (code === 'EAGAIN') return false;
      if (!warned && code !== 'ESRCH' && code !== 'ENOENT') {
        warned = true;
        onLog?.(`could not change a PostgreSQL backend's priority: ${(err as Error).message}`);
      }
      return true;
    }
  };

  const scan = () => {
    const pm = postmasterPid();
    if (pm === undefined) return;
    if (pm !== watched) {
      watched = pm;
      backends.clear();
      postmasterGroup = autogroupOf(pm)?.group;
    }
    let children: string;
    try {
      children = readFileSync(`/proc/${pm}/task/${pm}/children`, 'utf8');
    } catch {
      return; // the server just ended; the supervisor starts another, watched from the next scan
    }
    const now = performance.now();
    const windowNs = (now - last) * 1e6;
    last = now;
    const current = new Set(children.split(' ').filter(Boolean).map(Number));
    for (const pid of backends.keys()) if (!current.has(pid)) backends.delete(pid);
    for (const pid of current) {
      const runnable = runnableNs(pid);
      if (runnable === null) continue;
      const b = backends.get(pid);
      if (!b) {
        if (setGroupNice(pid, hogNice)) backends.set(pid, { runnable, lowered: true, calm: 0 });
        continue;
      }
      const share = (runnable - b.runnable) / windowNs;
      b.runnable = runnable;
      b.calm = share < hogShare ? b.calm + 1 : 0;
      if (!b.lowered && share >= hogShare) b.lowered = setGroupNice(pid, hogNice);
      else if (b.lowered && b.calm >= calmScans) b.lowered = !setGroupNice(pid, 0);
    }
  };
  const timer = setInterval(scan, scanIntervalMs);
  timer.unref();
  scan();
  return { stop: () => clearInterval(timer) };
}
