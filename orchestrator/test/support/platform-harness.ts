import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, migrate } from '@observastack/sut-common/db/migrate.ts';
import { loadOrchestratorEnv } from '../../src/config.ts';
import { startPlatform, type Platform } from '../../src/platform/platform.ts';
import { PlatformSocket } from '../../src/client/platform-client.ts';
import { freePort } from './free-port.ts';

export interface TestPlatformOptions {
  /** The database to use; omitted: the platform starts (and supervises) its own embedded PostgreSQL. */
  databaseUrl?: string;
  scenariosDir: string;
  dataDir?: string;
  /** Reuse these ports (a restarted orchestrator must find its SUT where it was). */
  ports?: Record<string, string>;
  /** OBS_CALIBRATION; default off (the scenarios' own rates, no 40 s capacity probe at boot). */
  calibration?: string;
  /** More settings, e.g. OBS_ALERTMANAGER_TOKEN_FILE. */
  env?: Record<string, string>;
}

/** A fresh migrated database on the integration run's PostgreSQL (seeding takes a few seconds). */
export async function freshDatabase(pgAdminUrl: string, name: string): Promise<string> {
  const url = await ensureDatabase(pgAdminUrl, name);
  await migrate(url);
  return url;
}

/** Boots the real platform (real PostgreSQL, real SUT children) on free ports. */
export async function startTestPlatform(
  o: TestPlatformOptions,
): Promise<{ platform: Platform; env: Record<string, string> }> {
  const env: Record<string, string> = o.ports ?? {
    OBS_PORT: String(await freePort()),
    OBS_GATEWAY_PORT: String(await freePort()),
    OBS_GATEWAY_ADMIN_PORT: String(await freePort()),
    OBS_API_PORT: String(await freePort()),
    OBS_API_ADMIN_PORT: String(await freePort()),
    OBS_INVENTORY_PORT: String(await freePort()),
    OBS_INVENTORY_ADMIN_PORT: String(await freePort()),
  };
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'observastack-platform-')));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp folder.
  if (!o.databaseUrl) await chmod(dataDir, 0o755);
  const database = o.databaseUrl
    ? { DATABASE_URL: o.databaseUrl }
    : { OBS_PG_PORT: env.OBS_PG_PORT ?? String(await freePort()) };
  const full = {
    ...env,
    ...database,
    OBS_DATA_DIR: dataDir,
    OBS_SCENARIOS_DIR: o.scenariosDir,
    OBS_SITE_DIR: join(dataDir, 'no-site'),
    OBS_CALIBRATION: o.calibration ?? 'off',
    ...o.env,
  };
  const platform = await startPlatform(loadOrchestratorEnv(full), () => {});
  return { platform, env: { ...env, OBS_DATA_DIR: dataDir } };
}

/** The platform's WebSocket (with a session token), once it is open. */
export function openProtocolClient(platform: { port: number }): Promise<PlatformSocket> {
  return PlatformSocket.open(`http://127.0.0.1:${platform.port}`);
}

// The platform's one Node client (orchestrator/src/client/platform-client.ts), under the names the tests use.
export { apiRequest as api, PlatformSocket, sessionToken } from '../../src/client/platform-client.ts';
