import { createServer } from 'node:net';
import { access, mkdir, constants } from 'node:fs/promises';
import type { SutPorts } from '@observastack/sut-common/launcher/services.ts';
import type { OrchestratorEnv } from '../config.ts';

/** A start-up problem worth one clear line to the learner. */
export class BootError extends Error {}

export interface PortCheck {
  port: number;
  envVar: string;
  what: string;
}

function probe(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(null)));
  });
}

/** Fails with "port 8080 (shop gateway) is in use: set OBS_GATEWAY_PORT to another port" before anything starts. */
export async function checkPorts(host: string, ports: PortCheck[]): Promise<void> {
  for (const p of ports) {
    if (p.port === 0) continue;
    const err = await probe(host, p.port);
    if (err?.code === 'EADDRINUSE')
      throw new BootError(
        `port ${p.port} (${p.what}) is already in use: stop what uses it, or set ${p.envVar} to a free port`,
      );
    if (err) throw new BootError(`cannot listen on ${host}:${p.port} (${p.what}): ${err.message}`);
  }
}

export async function checkDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new BootError(
      `data folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code}): set OBS_DATA_DIR to a writable folder`,
    );
  }
}

export function checkNode(): void {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12))
    throw new BootError(`Node.js >= 22.12 is needed; this is ${process.versions.node}`);
}

/**
 * Before anything starts: in stack mode the settings it cannot run without and the site's port; embedded, a
 * writable data folder and every port the platform will listen on (each named with the variable that moves it).
 */
export async function checkSettingsAndPorts(env: OrchestratorEnv, ports: SutPorts, dataDir: string): Promise<void> {
  const stack = env.OBS_MODE === 'stack';
  if (stack) {
    // Nothing is written in stack mode (read-only root filesystem): the secret and the database come from settings.
    if (!env.OBS_JWT_SECRET_FILE)
      throw new BootError(
        'OBS_JWT_SECRET_FILE is not set: in stack mode it must name the file holding the HS256 JWT secret the services share',
      );
    if (!env.DATABASE_URL)
      throw new BootError(
        "DATABASE_URL is not set: in stack mode it must be the postgres:// URL of the stack's PostgreSQL",
      );
    await checkPorts(env.OBS_HOST, [{ port: env.OBS_PORT, envVar: 'OBS_PORT', what: 'lesson site and API' }]);
    return;
  }
  await checkDataDir(dataDir);
  await checkPorts(env.OBS_HOST, [
    { port: env.OBS_PORT, envVar: 'OBS_PORT', what: 'lesson site and API' },
    { port: ports.gateway, envVar: 'OBS_GATEWAY_PORT', what: 'shop gateway' },
    { port: ports.gatewayAdmin, envVar: 'OBS_GATEWAY_ADMIN_PORT', what: 'gateway admin' },
    { port: ports.api, envVar: 'OBS_API_PORT', what: 'api service' },
    { port: ports.apiAdmin, envVar: 'OBS_API_ADMIN_PORT', what: 'api admin' },
    { port: ports.inventory, envVar: 'OBS_INVENTORY_PORT', what: 'inventory service' },
    { port: ports.inventoryAdmin, envVar: 'OBS_INVENTORY_ADMIN_PORT', what: 'inventory admin' },
    ...(env.DATABASE_URL ? [] : [{ port: env.OBS_PG_PORT, envVar: 'OBS_PG_PORT', what: 'embedded PostgreSQL' }]),
  ]);
}
