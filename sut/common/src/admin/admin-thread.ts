import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.ts';
import type { ServiceMetrics } from '../metrics.ts';
import type { ConfigWriteResult, RuntimeConfig } from '../config/runtime-config.ts';
import { fromWire, toWire } from './config-writer.ts';
import { SharedState } from './shared-state.ts';
import type { AdminWorkerData, ToMain, ToWorker } from './messages.ts';
import { processInstance } from '../http/process-instance.ts';

export interface AdminThreadOptions {
  service: string;
  host: string;
  port: number;
  /** SO_REUSEPORT (see http/lifecycle.ts). */
  reusePort?: boolean;
  secret: Uint8Array;
  config: RuntimeConfig<Record<string, unknown>>;
  metrics: ServiceMetrics;
  logger: Logger;
  logLevel: string;
  /** The module (file URL) exporting the service's config schema, and the export's name. */
  schema: { module: URL; exportName: string };
  /** Readiness check (e.g. the DB answers), run by the main thread every second; /healthz reports the latest. */
  ready?: () => Promise<void>;
}

export interface AdminThread {
  port: number;
  close(): Promise<void>;
}

const heartbeatMs = 100;
const readyEveryMs = 1000;
/** Metrics are published unasked at least this often, so a scrape of a saturated service has a recent snapshot. */
const publishEveryMs = 1000;
const workerFile = new URL('./admin-worker.ts', import.meta.url);
const tsCacheHooks = fileURLToPath(new URL('../launcher/ts-cache-hooks.mjs', import.meta.url));

/** The main thread's read of the shared config: adopts a newly committed version, synchronously. */
export function adopter(
  shared: SharedState,
  config: RuntimeConfig<Record<string, unknown>>,
  logger: Pick<Logger, 'error'>,
): () => void {
  let seen = 0;
  return () => {
    const read = shared.read(seen);
    if (!read) return;
    seen = read.version;
    try {
      config.control.adopt(read.record.config, read.record.who);
    } catch (err) {
      logger.error({ err }, 'adopting a committed config failed');
    }
    shared.markAdopted(read.version);
  };
}

/**
 * Starts the service's admin thread (admin-worker.ts) on its admin port and hands it the config writes.
 * The main thread's part: a 100 ms heartbeat that also adopts a committed config when idle, the readiness
 * check every second, applying resource knobs the admin thread proposes, and fresh metrics on request.
 */
export async function startAdminThread(o: AdminThreadOptions): Promise<AdminThread> {
  const shared = new SharedState();
  shared.beat();
  const poll = adopter(shared, o.config, o.logger);
  const data: AdminWorkerData = {
    service: o.service,
    instance: processInstance,
    host: o.host,
    port: o.port,
    reusePort: o.reusePort ?? false,
    secret: o.secret,
    logLevel: o.logLevel,
    buffer: shared.buffer,
    schemaModule: o.schema.module.href,
    schemaExport: o.schema.exportName,
    resourceKeys: o.config.control.resourceKeys,
    initial: { ...o.config.get() },
  };
  // Only the type-stripped cache is preloaded: the tracing preload stays out of the thread (admin requests are
  // not shop traffic).
  const worker = new Worker(workerFile, { workerData: data, execArgv: ['--import', tsCacheHooks] });
  const post = (m: ToWorker) => worker.postMessage(m);

  let nextId = 1;
  const writes = new Map<number, (m: Extract<ToMain, { type: 'write_result' }>) => void>();
  const forward = (op: 'patch' | 'reset', who: string, patch?: unknown) =>
    new Promise<ConfigWriteResult<Record<string, unknown>>>((resolve, reject) => {
      const id = nextId++;
      writes.set(id, (m) => (m.ok ? resolve(m.result) : reject(fromWire(m.error))));
      post({ type: 'write', id, op, patch, who });
    });

  let lastPublished = 0;
  const publish = (id: number) => {
    lastPublished = Date.now();
    poll();
    o.metrics.registry.metrics().then(
      (text) => post({ type: 'metrics', id, text, contentType: o.metrics.registry.contentType }),
      (err) => o.logger.error({ err }, 'metrics collection failed'),
    );
  };
  let closing = false;
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('message', (m: ToMain) => {
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'listen_failed') reject(Object.assign(new Error(m.message), { code: m.code }));
      else if (m.type === 'apply') {
        o.config.control.applyProposal(m.next, m.who).then(
          (changes) => post({ type: 'applied', id: m.id, ok: true, changes }),
          (err) => post({ type: 'applied', id: m.id, ok: false, error: toWire(err) }),
        );
      } else if (m.type === 'metrics') {
        publish(m.id);
      } else if (m.type === 'write_result') {
        writes.get(m.id)?.(m);
        writes.delete(m.id);
      }
    });
    worker.once('error', (err) => reject(err));
    worker.once('exit', (code) => {
      reject(new Error(`admin thread exited (code ${code})`));
      if (closing) return;
      // Without its admin thread the service can be neither configured nor watched: stop, the supervisor restarts it.
      o.logger.fatal({ code }, 'admin thread exited; stopping the service');
      o.logger.flush(() => process.exit(1));
    });
  });

  publish(0);
  const heartbeat = setInterval(() => {
    shared.beat();
    poll();
    if (Date.now() - lastPublished >= publishEveryMs) publish(0);
  }, heartbeatMs);
  heartbeat.unref();
  let readyTimer: NodeJS.Timeout | undefined;
  const checkReady = async () => {
    const at = Date.now();
    try {
      await o.ready?.();
      post({ type: 'ready', ok: true, at });
    } catch (err) {
      post({ type: 'ready', ok: false, reason: (err as Error).message, at });
    }
    if (!closing) readyTimer = setTimeout(checkReady, readyEveryMs).unref();
  };
  void checkReady();
  o.config.control.delegate({
    poll,
    patch: (p, who) => forward('patch', who, p),
    reset: (who) => forward('reset', who),
  });

  return {
    port,
    close: async () => {
      closing = true;
      clearInterval(heartbeat);
      clearTimeout(readyTimer);
      await worker.terminate();
    },
  };
}
