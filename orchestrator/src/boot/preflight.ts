import { createServer } from 'node:net';
import { access, mkdir, constants } from 'node:fs/promises';

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
