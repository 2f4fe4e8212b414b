import { spawn, type ChildProcess } from 'node:child_process';

export interface CpuHog {
  /** Busy child processes still running. */
  readonly running: number;
  /** Stops every busy child and waits for them to exit. */
  stop(): Promise<void>;
}

/**
 * Keeps `cores` CPU cores busy, as another program on a learner's laptop or a neighbour on a shared cloud VM
 * would: one child process per core spinning in a loop. Bounded twice: each child stops by itself after
 * `maxSeconds`, and dies with its parent (stdin closes when the parent goes, and the child exits on it).
 */
export function startCpuHog(opts: { cores?: number; maxSeconds: number }): CpuHog {
  const cores = opts.cores ?? 1;
  const spin = `
    process.stdin.on('end', () => process.exit(0)).resume();
    const end = Date.now() + ${Math.round(opts.maxSeconds * 1000)};
    (function burn() {
      const slice = Date.now() + 50;
      while (Date.now() < slice) {}
      if (Date.now() < end) setImmediate(burn); else process.exit(0);
    })();`;
  const children: ChildProcess[] = Array.from({ length: cores }, () =>
    spawn(process.execPath, ['-e', spin], { stdio: ['pipe', 'ignore', 'inherit'] }),
  );
  return {
    get running() {
      return children.filter((c) => c.exitCode === null && c.signalCode === null).length;
    },
    async stop() {
      await Promise.all(
        children.map((c) =>
          c.exitCode !== null || c.signalCode !== null
            ? undefined
            : new Promise<void>((resolve) => {
                c.once('exit', () => resolve());
                c.kill('SIGKILL');
              }),
        ),
      );
    },
  };
}
