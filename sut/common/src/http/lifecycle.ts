import type { FastifyInstance, FastifyListenOptions } from 'fastify';
import type { Logger } from '../logger.ts';
import { startAdminThread, type AdminThread, type AdminThreadOptions } from '../admin/admin-thread.ts';
import { keepAliveDrain } from './drain.ts';

export interface Listener {
  app: FastifyInstance;
  host: string;
  port: number;
  name: string;
}

/**
 * Listens on every listener, logs where, and on SIGTERM/SIGINT closes cleanly and exits 0. A port that cannot
 * be bound stops the process with one clear line (which port, which env var changes it).
 */
export async function runUntilSignal(opts: {
  logger: Logger;
  listeners: Listener[];
  admin?: AdminThreadOptions;
  close: () => Promise<void>;
  /** SO_REUSEPORT on every port: a rollout's new process listens beside this one until this one drains. */
  reusePort?: boolean;
}): Promise<void> {
  const cannotListen = async (err: unknown, l: { host: string; port: number; name: string }) => {
    const e = err as NodeJS.ErrnoException;
    opts.logger.fatal(
      { err: e },
      e.code === 'EADDRINUSE' ? `port ${l.port} (${l.name}) is already in use` : `cannot listen on ${l.host}:${l.port}`,
    );
    await flush(opts.logger);
    process.exit(3);
  };
  for (const l of opts.listeners) {
    try {
      // Fastify hands its listen options to net.Server#listen, which takes reusePort (Node >= 22.12); its types
      // do not list it yet.
      await l.app.listen({ host: l.host, port: l.port, reusePort: opts.reusePort ?? false } as FastifyListenOptions);
    } catch (err) {
      await cannotListen(err, l);
    }
    const addr = l.app.server.address();
    opts.logger.info({ listener: l.name, port: typeof addr === 'object' && addr ? addr.port : l.port }, 'listening');
  }
  // The admin thread starts last: its /healthz answering means the shop port is up too.
  let admin: AdminThread | undefined;
  if (opts.admin) {
    try {
      admin = await startAdminThread({ ...opts.admin, reusePort: opts.reusePort });
    } catch (err) {
      await cannotListen(err, { host: opts.admin.host, port: opts.admin.port, name: 'admin' });
    }
    opts.logger.info({ listener: 'admin', thread: 'admin', port: admin!.port }, 'listening');
  }
  const drainer = keepAliveDrain(opts.listeners.map((l) => l.app.server));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    await drainer.drain();
    await admin?.close().catch((err) => opts.logger.error({ err }, 'error while closing the admin thread'));
    await opts.close().catch((err) => opts.logger.error({ err }, 'error while closing'));
    await flush(opts.logger);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Logs are buffered (see logger.ts): write out what is pending before the process exits. */
function flush(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
