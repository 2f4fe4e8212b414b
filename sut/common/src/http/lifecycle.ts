import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.ts';

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
export async function runUntilSignal(opts: { logger: Logger; listeners: Listener[]; close: () => Promise<void> }): Promise<void> {
  for (const l of opts.listeners) {
    try {
      await l.app.listen({ host: l.host, port: l.port });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      opts.logger.fatal({ err: e }, e.code === 'EADDRINUSE' ? `port ${l.port} (${l.name}) is already in use` : `cannot listen on ${l.host}:${l.port}`);
      await flush(opts.logger);
      process.exit(3);
    }
    const addr = l.app.server.address();
    opts.logger.info({ listener: l.name, port: typeof addr === 'object' && addr ? addr.port : l.port }, 'listening');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
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
