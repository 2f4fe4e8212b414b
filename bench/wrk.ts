// Runs peer tools (wrk, hey) as child processes and reads wrk's figures: the closed-model yardstick the benches
// put beside their own open-model figures.
import { spawn } from 'node:child_process';

/** Runs `cmd args`, collecting its output; resolves with its exit code (never rejects on a non-zero one). */
export function runCommand(
  cmd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`${cmd} is not installed (Debian: apt-get install ${cmd})`) : err),
    );
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

export interface WrkFigures {
  connections: number;
  durationS: number;
  /** Responses per second (wrk's Requests/sec); null when wrk failed. */
  rps: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Non-2xx/3xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
}

/** wrk prints latencies as `812.00us`, `1.23ms` or `1.02s`. */
function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** Parses `wrk --latency` output (exported for its unit test). */
export function parseWrk(stdout: string, connections: number, durationS: number): WrkFigures {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const pct = (p: number) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
    return m ? Math.round(toMs(m[1], m[2]) * 100) / 100 : null;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    connections,
    durationS,
    rps: rps ? Number(rps[1]) : null,
    p50Ms: pct(50),
    p99Ms: pct(99),
    errors: non2xx + socketErrors,
  };
}

/** `wrk -t1 -c<connections> -d<durationS>s --latency <url>`: as many requests as the connections allow. */
export async function runWrk(url: string, connections: number, durationS: number): Promise<WrkFigures> {
  const { code, stdout } = await runCommand('wrk', [
    '-t',
    '1',
    '-c',
    String(connections),
    '-d',
    `${durationS}s`,
    '--latency',
    url,
  ]);
  const figures = parseWrk(stdout, connections, durationS);
  return code === 0 ? figures : { ...figures, rps: null };
}
