// The platform as a learner starts it (`node orchestrator/src/main.ts`, what `npm start` runs after its Node
// check), in a child process on free ports with its own data folder; timed to ready and stopped with SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { processesMentioning, processTree, readProc } from './proc-tree.ts';
import { freePort } from '@observastack/sut-common/launcher/free-port.ts';
import { prepareTsCache } from '@observastack/sut-common/launcher/services.ts';
import { orchestratorNodeFlags } from '../orchestrator/src/node-flags.ts';
export { freePort };

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const mainTs = fileURLToPath(new URL('../orchestrator/src/main.ts', import.meta.url));

export interface PlatformPorts {
  OBS_PORT: string;
  OBS_GATEWAY_PORT: string;
  OBS_GATEWAY_ADMIN_PORT: string;
  OBS_API_PORT: string;
  OBS_API_ADMIN_PORT: string;
  OBS_INVENTORY_PORT: string;
  OBS_INVENTORY_ADMIN_PORT: string;
  OBS_PG_PORT: string;
}

export async function freePlatformPorts(): Promise<PlatformPorts> {
  const p = async () => String(await freePort());
  return {
    OBS_PORT: await p(),
    OBS_GATEWAY_PORT: await p(),
    OBS_GATEWAY_ADMIN_PORT: await p(),
    OBS_API_PORT: await p(),
    OBS_API_ADMIN_PORT: await p(),
    OBS_INVENTORY_PORT: await p(),
    OBS_INVENTORY_ADMIN_PORT: await p(),
    OBS_PG_PORT: await p(),
  };
}

export interface PlatformProcessOptions {
  dataDir: string;
  ports: PlatformPorts;
  scenariosDir: string;
  /** Use this PostgreSQL instead of the embedded one (the smoke test does, to stay within seconds). */
  databaseUrl?: string;
  /** Give up on readiness after this long (default 180 s). */
  readyTimeoutMs?: number;
}

export interface RunningPlatform {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Spawn -> first 200 from /api/health, measured here. */
  healthMs: number;
  /** The `Ready in X s` figure the platform printed itself. */
  readyLineS: number | null;
  /** Spawn -> the `Ready` line seen on stdout. */
  readyLineMs: number | null;
  /** Everything the child printed so far (for diagnostics). */
  output(): string;
  /** SIGINT to the process group (Ctrl-C), wait for the exit; reports the exit code, how long it took and any process of its tree (SUT
   *  children, PostgreSQL and its backends) or of its data folder still alive a few seconds later. */
  stop(): Promise<{
    code: number | null;
    signal: string | null;
    stopMs: number;
    orphanPids: number[];
    orphans: string[];
  }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A timer that does not keep the bench alive once everything else is done (it only bounds a race). */
const bound = (ms: number) => new Promise<null>((r) => setTimeout(() => r(null), ms).unref());

export async function startPlatformProcess(o: PlatformProcessOptions): Promise<RunningPlatform> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.ports,
    OBS_DATA_DIR: o.dataDir,
    OBS_SCENARIOS_DIR: o.scenariosDir,
    OBS_LOG_LEVEL: 'warn',
    // The scenarios' own rates (the reference machine's), so figures compare across machines and runs start at
    // once instead of waiting 40-60 s for the capacity probe; OBS_CALIBRATION=auto measures like npm start.
    OBS_CALIBRATION: process.env.OBS_CALIBRATION ?? 'off',
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
  };
  const t0 = performance.now();
  // As `npm start` runs it: the type-stripped cache first, preloaded into the orchestrator. Its own process group,
  // stopped the way Ctrl-C in a terminal stops `npm start`: SIGINT to the whole group.
  await prepareTsCache();
  const child = spawn(process.execPath, [...orchestratorNodeFlags, mainTs], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const interrupt = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* the group is gone */
    }
  };
  // Should this process die first, the platform must not outlive it.
  const onExit = () => interrupt('SIGKILL');
  process.once('exit', onExit);
  let out = '';
  let readyLineMs: number | null = null;
  let readyLineS: number | null = null;
  let exited: { code: number | null; signal: string | null } | null = null;
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', onExit);
      resolve((exited = { code, signal }));
    });
  });
  const onData = (chunk: string) => {
    out = (out + chunk).slice(-20_000);
    const m = /Ready in ([\d.]+) s/.exec(out);
    if (m && readyLineMs === null) {
      readyLineMs = performance.now() - t0;
      readyLineS = Number(m[1]);
    }
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);

  const url = `http://127.0.0.1:${o.ports.OBS_PORT}`;
  const deadline = Date.now() + (o.readyTimeoutMs ?? 180_000);
  let healthMs: number | null = null;
  while (healthMs === null) {
    if (exited)
      throw new Error(`the platform exited (${JSON.stringify(exited)}) before it was ready:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) {
      interrupt('SIGINT');
      await Promise.race([exit, bound(20_000)]);
      throw new Error(`the platform was not ready within ${o.readyTimeoutMs ?? 180_000} ms:\n${out.slice(-3000)}`);
    }
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) healthMs = performance.now() - t0;
      await res.body?.cancel();
    } catch {
      /* not listening yet */
    }
    if (healthMs === null) await sleep(50);
  }
  // The Ready line follows the health listener by one boot step (SUT children, telemetry); wait for it.
  while (readyLineMs === null && !exited && Date.now() < deadline) await sleep(50);

  return {
    child,
    pid: child.pid!,
    url,
    healthMs,
    get readyLineS() {
      return readyLineS;
    },
    get readyLineMs() {
      return readyLineMs;
    },
    output: () => out,
    async stop() {
      const s0 = performance.now();
      const before = exited ? [] : await processTree(child.pid!);
      if (!exited) interrupt('SIGINT');
      let result = await Promise.race([exit, bound(30_000)]);
      if (!result) {
        interrupt('SIGKILL');
        result = await exit;
      }
      const stopMs = performance.now() - s0;
      // PostgreSQL's postmaster stops its backends itself; give it a moment before calling anything an orphan.
      const alive = async () => {
        const now = new Map(
          (await Promise.all(before.map((p) => readProc(p.pid)))).filter((p) => p !== null).map((p) => [p.pid, p.comm]),
        );
        const leftovers = before.filter((p) => p.pid !== child.pid && now.get(p.pid) === p.comm).map((p) => p.pid);
        return [...new Set([...leftovers, ...(await processesMentioning(o.dataDir))])];
      };
      let orphanPids: number[] = [];
      for (let i = 0; i < 20; i++) {
        orphanPids = await alive();
        if (orphanPids.length === 0) break;
        await sleep(250);
      }
      // What the leftovers are, e.g. `node orchestrator/... sut/api/src/main.ts`, for the report.
      const orphans = await Promise.all(
        orphanPids.map(
          async (pid) =>
            `${pid} ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim().slice(0, 160)}`,
        ),
      );
      return { ...result, stopMs, orphanPids, orphans };
    },
  };
}
