import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.ts';
import { serveStatic } from './static-server.ts';
import { e2eCapacityRps } from './env.ts';
import { prepareTsCache } from '@observastack/sut-common/launcher/services.ts';
import { orchestratorNodeFlags } from '../../orchestrator/src/node-flags.ts';

const root = resolve(import.meta.dirname, '../..');
const astroBin = join(root, 'node_modules/astro/bin/astro.mjs');

/**
 * Builds the site (dist/site, served by the orchestrator; and a copy with PUBLIC_ORCHESTRATOR_URL baked in),
 * boots the platform on free ports with a temporary data folder, and starts two static servers: one hosting
 * the cross-origin copy, one hosting a build whose backend is absent. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const [port, pgPort, gw, gwAdmin, apiPort, inv, staticPort, downPort, apiAdmin, invAdmin] = await Promise.all(
    Array.from({ length: 10 }, freePort),
  );
  const work = mkdtempSync(join(tmpdir(), 'observastack-e2e-'));
  // Embedded PostgreSQL initialises its data folder as an unprivileged user when run as root.
  chmodSync(work, 0o755);
  const base = `http://127.0.0.1:${port}`;
  const gitpodWorkspace = 'https://test.gitpod.example';
  const staticBase = `http://127.0.0.1:${staticPort}`;
  const distDir = join(root, 'dist/site');
  const crossDir = join(work, 'site-cross-origin');
  const logDir = join(root, 'test-results');
  mkdirSync(logDir, { recursive: true });

  const build = (env: Record<string, string>) =>
    execFileSync(process.execPath, [astroBin, 'build', '--silent'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...env },
    });
  if (!process.env.E2E_SKIP_BUILD || !existsSync(join(distDir, 'index.html'))) {
    build({ PUBLIC_ORCHESTRATOR_URL: '' });
  }
  build({ PUBLIC_ORCHESTRATOR_URL: base, OBS_SITE_OUT: crossDir });

  const log = createWriteStream(join(logDir, 'e2e-platform.log'));
  // As `npm start` runs it: the type-stripped cache first, preloaded into the orchestrator.
  await prepareTsCache();
  const platform: ChildProcess = spawn(
    process.execPath,
    [...orchestratorNodeFlags, join(root, 'orchestrator/src/main.ts')],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        OBS_PORT: String(port),
        OBS_PG_PORT: String(pgPort),
        OBS_GATEWAY_PORT: String(gw),
        OBS_GATEWAY_ADMIN_PORT: String(gwAdmin),
        OBS_API_PORT: String(apiPort),
        OBS_INVENTORY_PORT: String(inv),
        OBS_API_ADMIN_PORT: String(apiAdmin),
        OBS_INVENTORY_ADMIN_PORT: String(invAdmin),
        OBS_DATA_DIR: join(work, 'data'),
        OBS_SITE_DIR: distDir,
        OBS_CORS_ORIGINS: staticBase,
        OBS_LOG_LEVEL: 'warn',
        // A configured capacity: the lessons show it, and no 40 s probe holds the first run back.
        OBS_CALIBRATION: e2eCapacityRps,
        // As in a Gitpod workspace (public at https://<port>-test.gitpod.example), behind a proxy at 127.0.0.1
        // (e2e/remote-proxy.spec.ts starts it). The other specs use the loopback address, which is unaffected.
        GITPOD_WORKSPACE_URL: gitpodWorkspace,
        OBS_TRUSTED_PROXIES: '127.0.0.1/32',
      },
    },
  );
  // The start banner prints the public URL with the learner key, as a learner would read it in the terminal.
  let banner = '';
  const keyUrl = new Promise<string>((ok) =>
    platform.stdout!.on('data', (d: Buffer) => {
      banner = (banner + d.toString()).slice(-20_000);
      const m = /Public URL[^:]*: (https:\/\/\S+\/\?key=\S+)/.exec(banner);
      if (m) ok(m[1]);
    }),
  );
  platform.stdout!.pipe(log);
  platform.stderr!.pipe(log);
  const exited = new Promise<number | null>((r) => platform.once('exit', (code) => r(code)));

  const servers: Server[] = [];
  const teardown = async () => {
    for (const s of servers) s.close();
    if (platform.exitCode === null) {
      platform.kill('SIGTERM');
      const t = setTimeout(() => platform.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(work, { recursive: true, force: true });
  };

  try {
    await waitReady(base, exited);
    const printed = await Promise.race([keyUrl, new Promise<null>((r) => setTimeout(() => r(null), 5_000).unref())]);
    if (!printed)
      throw new Error(
        'the platform did not print its public URL with the learner key; see test-results/e2e-platform.log',
      );
    process.env.E2E_PUBLIC_KEY_URL = printed;
    servers.push(await serveStatic(crossDir, staticPort), await serveStatic(distDir, downPort));
  } catch (err) {
    await teardown();
    throw err;
  }
  Object.assign(process.env, {
    E2E_BASE_URL: base,
    E2E_STATIC_URL: staticBase,
    E2E_DOWN_URL: `http://127.0.0.1:${downPort}`,
    E2E_DIST_DIR: distDir,
  });
  return teardown;
}

/** Polls /api/health until the three SUT services run (first start seeds PostgreSQL: ~5-10 s). */
async function waitReady(base: string, exited: Promise<number | null>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (done) throw new Error('the platform exited during start; see test-results/e2e-platform.log');
    try {
      const h = (await (await fetch(`${base}/api/health`)).json()) as { services: { name: string; state: string }[] };
      const running = new Set(h.services.filter((s) => s.state === 'running').map((s) => s.name));
      if (['postgres', 'inventory', 'api', 'gateway'].every((name) => running.has(name))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the platform did not become ready within 120 s; see test-results/e2e-platform.log');
}
