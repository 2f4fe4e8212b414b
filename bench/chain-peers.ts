// What the shop's chain (gateway -> api -> inventory -> PostgreSQL) is compared with in bench/sut-throughput.ts:
// a bare Node server answering the catalogue page's bytes, and a two-hop chain of Node proxies in front of it.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const peerServer = fileURLToPath(new URL('./peer-server.ts', import.meta.url));

/**
 * Starts `node <args>` and resolves with the URL it prints as `listening <url>`; stop() sends SIGTERM. Its stdin
 * is a pipe from this process: the child exits when it ends, so a bench that dies leaves no server behind.
 */
export async function spawnListening(args: string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const m = /listening (\S+)/.exec(chunk);
      if (m) resolveUrl(m[1]);
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

export interface ChainPeers {
  /** The bare Node server. */
  originUrl: string;
  /** proxy -> proxy -> the bare server: two hops, as gateway -> api, without their work. */
  chainUrl: string;
  stop(): void;
}

/** Starts the bare server answering `body` (written to `dir`) and the two proxies, each its own process. */
export async function startChainPeers(body: string, dir: string): Promise<ChainPeers> {
  const file = join(dir, 'peer-body.json');
  await writeFile(file, body);
  const started: { stop: () => void }[] = [];
  try {
    const origin = await spawnListening([peerServer, 'origin', file]);
    started.push(origin);
    const inner = await spawnListening([peerServer, 'proxy', origin.url]);
    started.push(inner);
    const outer = await spawnListening([peerServer, 'proxy', inner.url]);
    started.push(outer);
    return {
      originUrl: origin.url,
      chainUrl: outer.url,
      stop: () => {
        for (const p of started) p.stop();
      },
    };
  } catch (err) {
    for (const p of started) p.stop();
    throw err;
  }
}
