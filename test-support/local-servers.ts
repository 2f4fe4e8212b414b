import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Throwaway HTTP servers on 127.0.0.1 for one test file: `serve(handler)` starts one and resolves with its origin;
 * `closeAll()` (in afterEach) closes every one started, its open connections included.
 */
export function localServers() {
  const servers: Server[] = [];
  return {
    async serve(handler: RequestListener): Promise<string> {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async closeAll(): Promise<void> {
      for (const s of servers.splice(0)) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}
