import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LogStore } from './log-store.ts';

interface ChildOutput {
  stdout: Readable | null;
  stderr: Readable | null;
}

/**
 * Feeds a child process's stdout and stderr into the store, one line at a time. Returns a function that stops
 * reading (the streams themselves are left to the child's owner). `tee` also receives every line, e.g. to
 * echo the service's output to the orchestrator's own log.
 */
export function attachChildLogs(store: LogStore, service: string, child: ChildOutput, tee?: (line: string, stream: 'stdout' | 'stderr') => void): () => void {
  const readers = (['stdout', 'stderr'] as const).flatMap((stream) => {
    const input = child[stream];
    if (!input) return [];
    const rl = createInterface({ input, crlfDelay: Infinity });
    rl.on('line', (line) => {
      store.ingest(service, line, stream);
      tee?.(line, stream);
    });
    return [rl];
  });
  return () => {
    for (const rl of readers) rl.close();
  };
}
