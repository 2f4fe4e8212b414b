import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The niceness PostgreSQL runs at on a laptop. In production the database has a machine of its own; here it
 * shares two or four cores with the services and the orchestrator (the lesson page, the load generator, the
 * judge). While the stock index is missing (db-slow-query) ~25 backends each scan 500k rows, and at equal
 * priority every Node process of the platform waited 1.4-1.9 s of each 2 s for a core: a fix took up to 2.3 s
 * to be answered and the load generator's clock drifted with it. At 10 the backends yield to the platform and
 * still get every cycle it leaves, so the database does the same work and the incident looks the same.
 */
export const postgresNice = 10;

/** How often new server processes are looked for: a pool that grows opens its connections within ~100 ms. */
const scanIntervalMs = 100;

/**
 * Keeps the PostgreSQL server and every process it forks at `postgresNice`. Two things make this more than one
 * `setPriority` on the postmaster: the processes it forked before (checkpointer, writers) keep their niceness,
 * and each backend calls `setsid()`, which on Linux with `sched_autogroup_enabled` (the default of most desktop
 * kernels) puts it in a scheduling group of its own where its niceness is not compared with the platform's at
 * all: each backend then weighs as much as the whole platform. So each child is reniced and its autogroup too
 * (`/proc/<pid>/autogroup`, a write the owner of the process may make to lower it). Linux reads the children
 * from `/proc/<pid>/task/<pid>/children`; elsewhere (macOS) only the postmaster is reniced, which its backends
 * inherit, and there are no autogroups. Every refusal (a sandbox, another user) leaves the priority as it was.
 */
export function keepServerNiced(postmasterPid: () => number | undefined, onLog?: (line: string) => void) {
  const done = new Set<number>();
  // Not Linux, or a kernel without the children file: the postmaster's niceness is inherited, and that is all.
  const listsChildren = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
  let watched: number | undefined;
  let postmasterGroup: string | undefined;
  let warned = false;
  const refused = (err: unknown) => {
    // ESRCH/ENOENT: the process ended between the read and the write, or this kernel has no autogroups.
    const code = (err as NodeJS.ErrnoException).code;
    if (warned || code === 'ESRCH' || code === 'ENOENT') return;
    warned = true;
    onLog?.(`could not lower PostgreSQL's priority: ${(err as Error).message}`);
  };
  /** True once the process is at the niceness, in its own autogroup if the kernel has them. */
  const lower = (pid: number): boolean => {
    try {
      setPriority(pid, postgresNice);
    } catch (err) {
      refused(err);
      return true; // nothing more to try for this one
    }
    let group: string;
    try {
      group = readFileSync(`/proc/${pid}/autogroup`, 'utf8');
    } catch {
      return true; // no autogroups: the niceness above is compared with the platform's directly
    }
    // A child listed right after its fork has not called setsid() yet and still shares the postmaster's group.
    if (group.split(' ')[0] === postmasterGroup) return false;
    try {
      if (!group.endsWith(` nice ${postgresNice}\n`)) writeFileSync(`/proc/${pid}/autogroup`, String(postgresNice));
    } catch (err) {
      refused(err);
    }
    return true;
  };
  const scan = () => {
    const pm = postmasterPid();
    if (pm === undefined) return;
    if (pm !== watched) {
      watched = pm;
      done.clear();
      try {
        setPriority(pm, postgresNice);
        postmasterGroup = readFileSync(`/proc/${pm}/autogroup`, 'utf8').split(' ')[0];
      } catch (err) {
        refused(err);
      }
    }
    if (!listsChildren) return;
    let children: string;
    try {
      children = readFileSync(`/proc/${pm}/task/${pm}/children`, 'utf8');
    } catch {
      return; // the server just ended; the supervisor starts another, watched from the next scan
    }
    const current = new Set(children.split(' ').filter(Boolean).map(Number));
    for (const pid of done) if (!current.has(pid)) done.delete(pid);
    for (const pid of current) if (!done.has(pid) && lower(pid)) done.add(pid);
  };
  const timer = setInterval(scan, scanIntervalMs);
  timer.unref();
  scan();
  return { stop: () => clearInterval(timer) };
}
