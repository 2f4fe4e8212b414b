import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrchestratorEnv } from '../config.ts';
import { startPlatform, type Platform } from '../platform/platform.ts';
import { freePort } from '@observastack/sut-common/launcher/free-port.ts';
export { freePort };

export interface HeadlessOptions {
  /** Use this PostgreSQL database (already migrated or not) instead of an embedded one in a temp folder. */
  databaseUrl?: string;
  /** Folder of scenario YAML files the platform loads. */
  scenariosDir: string;
  /** OBS_CALIBRATION (default auto: the capacity probe starts at boot; `calibrator.measure()` joins it). */
  calibration?: string;
  /** Boot progress and SUT diagnostics go here; default: dropped. */
  write?: (line: string) => void;
}

export interface HeadlessPlatform {
  platform: Platform;
  stop(): Promise<void>;
}

/**
 * Boots the whole embedded platform without a site, on free ports, with its own temp data folder (PostgreSQL
 * data unless `databaseUrl` is given, and the JWT secret). `stop()` shuts everything down and removes the folder.
 */
export async function startHeadlessPlatform(o: HeadlessOptions): Promise<HeadlessPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), 'observastack-verify-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const [gw, gwAdmin, api, apiAdmin, inv, invAdmin, pg] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env = loadOrchestratorEnv({
    OBS_PORT: '0',
    OBS_DATA_DIR: dataDir,
    OBS_PG_PORT: String(pg),
    OBS_GATEWAY_PORT: String(gw),
    OBS_GATEWAY_ADMIN_PORT: String(gwAdmin),
    OBS_API_PORT: String(api),
    OBS_API_ADMIN_PORT: String(apiAdmin),
    OBS_INVENTORY_PORT: String(inv),
    OBS_INVENTORY_ADMIN_PORT: String(invAdmin),
    OBS_SITE_DIR: join(dataDir, 'no-site'),
    OBS_SCENARIOS_DIR: o.scenariosDir,
    OBS_LOG_LEVEL: 'warn',
    ...(o.calibration ? { OBS_CALIBRATION: o.calibration } : {}),
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
  });
  let platform: Platform;
  try {
    platform = await startPlatform(env, o.write ?? (() => {}));
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    platform,
    async stop() {
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
