/** Boot progress on stdout: each step, what it did, how long it took. */
export function createProgress(total: number, write: (line: string) => void = (l) => process.stdout.write(l + '\n')) {
  let n = 0;
  const t0 = performance.now();
  return {
    async step<T>(label: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> {
      n++;
      const s = performance.now();
      const r = await fn();
      const ms = Math.round(performance.now() - s);
      write(`  [${n}/${total}] ${label}${detail ? ` — ${detail(r)}` : ''} (${ms} ms)`);
      return r;
    },
    elapsedMs: () => Math.round(performance.now() - t0),
  };
}
