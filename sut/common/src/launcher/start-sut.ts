import { spawn, type ChildProcess } from 'node:child_process';
import {
  adminBaseUrl,
  prepareTsCache,
  serviceArgs,
  serviceEnv,
  sutServiceNames,
  waitHealthy,
  type SutEnvOptions,
  type SutServiceName,
} from './services.ts';

export interface StartedSut {
  children: Record<SutServiceName, ChildProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the three services as child processes in dependency order, each healthy before the next starts.
 * `onOutput` receives every stdout/stderr line (JSON logs); without it output goes to this process's stdio.
 */
export async function startSut(
  o: SutEnvOptions & {
    onOutput?: (service: SutServiceName, stream: 'stdout' | 'stderr', line: string) => void;
    extraEnv?: Record<string, string>;
  },
): Promise<StartedSut> {
  const children = {} as Record<SutServiceName, ChildProcess>;
  const stop = async () => {
    await Promise.all(Object.values(children).map((c) => stopChild(c)));
  };
  await prepareTsCache();
  try {
    for (const name of sutServiceNames) {
      const child = spawn(process.execPath, serviceArgs(name), {
        env: { PATH: process.env.PATH ?? '', ...serviceEnv(name, o), ...o.extraEnv },
        stdio: ['ignore', o.onOutput ? 'pipe' : 'inherit', o.onOutput ? 'pipe' : 'inherit'],
      });
      children[name] = child;
      if (o.onOutput) {
        pipeLines(child.stdout!, (l) => o.onOutput!(name, 'stdout', l));
        pipeLines(child.stderr!, (l) => o.onOutput!(name, 'stderr', l));
      }
      await waitHealthy(`${adminBaseUrl(name, o.ports)}/healthz`, 20_000, () => child.exitCode === null);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { children, stop };
}

export function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
