// A peer process for bench/sut-throughput.ts (started by chain-peers.ts, one process per role, as each shop
// service is its own process):
//   node bench/peer-server.ts origin <body file>   answers every request with the file's bytes as JSON
//   node bench/peer-server.ts proxy <upstream url>  forwards every request to the upstream on a keep-alive pool
// Prints `listening <url>` once it accepts connections (127.0.0.1, a free port); stops on SIGTERM or when its
// stdin (a pipe from the bench) ends.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const [role, arg] = process.argv.slice(2);
let handler: Parameters<typeof createServer>[1];
if (role === 'origin') {
  const body = readFileSync(arg);
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  };
} else if (role === 'proxy') {
  // The shape of the gateway's hop without its work (auth, rate limit, metrics, tracing, logs): an undici pool
  // of 64 keep-alive connections, the answer's status, type and body passed through.
  const pool = new Pool(arg, { connections: 64 });
  handler = (req, res) => {
    pool.request({ method: 'GET', path: req.url ?? '/' }).then(
      async (r) => {
        const body = Buffer.from(await r.body.arrayBuffer());
        res.writeHead(r.statusCode, {
          'content-type': String(r.headers['content-type']),
          'content-length': body.length,
        });
        res.end(body);
      },
      () => res.writeHead(502).end(),
    );
  };
} else {
  console.error('usage: node bench/peer-server.ts origin <body file> | proxy <upstream url>');
  process.exit(2);
}
const server = createServer({ keepAliveTimeout: 30_000 }, handler);
server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0)); // the bench went away
process.stdin.resume();
