import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';

// `npm start` as a learner runs it (embedded PostgreSQL included), then every TCP socket that any of its
// processes listens on, read from /proc: all must be on 127.0.0.1.
const root = fileURLToPath(new URL('../../../', import.meta.url));
let child: ChildProcess;
let dataDir: string;
const ports: Record<string, number> = {};

async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parents) if (pp === out[i]) out.push(p);
  return out;
}

/** Listening TCP sockets (v4 and v6) by inode: local address and port. */
async function listeners(): Promise<Map<string, { address: string; port: number }>> {
  const out = new Map<string, { address: string; port: number }>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue;
      const [hex, port] = f[1].split(':');
      const address =
        hex.length === 8
          ? hex
              .match(/../g)!
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : hex === '00000000000000000000000001000000'
            ? '::1'
            : hex === '0'.repeat(32)
              ? '::'
              : `v6:${hex}`;
      out.set(f[9], { address, port: parseInt(port, 16) });
    }
  }
  return out;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'observastack-start-'));
  // As root PostgreSQL runs as the `postgres` user, which must be able to enter the data folder (as in .observastack).
  await chmod(dataDir, 0o755);
  for (const k of [
    'OBS_PORT',
    'OBS_PG_PORT',
    'OBS_GATEWAY_PORT',
    'OBS_GATEWAY_ADMIN_PORT',
    'OBS_API_PORT',
    'OBS_API_ADMIN_PORT',
    'OBS_INVENTORY_PORT',
    'OBS_INVENTORY_ADMIN_PORT',
  ])
    ports[k] = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OBS_DATA_DIR: dataDir,
    OBS_SITE_DIR: join(dataDir, 'no-site'),
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  delete env.DATABASE_URL;
  // No capacity probe: this test only looks at sockets, and the probe's load would be noise for the others.
  env.OBS_CALIBRATION = 'off';
  delete env.OBS_HOST;
  child = spawn(process.execPath, ['orchestrator/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 100 s:\n${out.slice(-2000)}`)), 100_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (/Ready in/.test(out)) clearTimeout(timer), resolve();
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out.slice(-2000)}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm start binds 127.0.0.1 only', () => {
  it("every listening socket of the platform's processes is on 127.0.0.1, and every known port is one of them", async () => {
    const pids = await descendants(child.pid!);
    const byInode = await listeners();
    const mine: { pid: number; address: string; port: number }[] = [];
    for (const pid of pids) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        const l = inode ? byInode.get(inode) : undefined;
        if (l) mine.push({ pid, ...l });
      }
    }
    expect(pids.length).toBeGreaterThanOrEqual(5);
    expect(mine.filter((l) => l.address !== '127.0.0.1')).toEqual([]);
    expect(new Set(mine.map((l) => l.port))).toEqual(new Set(Object.values(ports)));
  });
});
