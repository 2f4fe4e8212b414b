import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../protocol/ws-messages.ts';
import type { SupervisorEvent } from '../supervisor/supervisor.ts';
import { StackMonitor } from './stack-monitor.ts';

// The monitor against a real HTTP server on loopback whose /healthz answer the test sets before each poll.
let server: Server;
let answer: { status: number; instance?: string };
let monitor: StackMonitor;
let seen: { state: string; restarts: number; event?: string }[];

beforeEach(async () => {
  answer = { status: 200, instance: 'p1' };
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: answer.status === 200 ? 'ok' : 'unavailable', instance: answer.instance }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  seen = [];
  monitor = new StackMonitor({
    targets: [
      {
        name: 'api',
        envVar: 'OBS_API_URL',
        healthUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`,
      },
    ],
    onStatus: (s: ServiceStatus, e?: SupervisorEvent) =>
      seen.push({ state: s.state, restarts: s.restarts, event: e?.type }),
    intervalMs: 60_000,
  });
});

afterEach(async () => {
  await monitor.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const events = () => seen.filter((s) => s.event).map((s) => s.event);

describe('StackMonitor', () => {
  it('sees a crash quicker than one poll: healthy twice, but another process answers', async () => {
    await monitor.start();
    expect(monitor.statuses()[0]).toMatchObject({ state: 'running', restarts: 0 });
    await monitor.poll();
    expect(events()).toEqual([]); // same process: nothing happened
    answer = { status: 200, instance: 'p2' };
    await monitor.poll();
    expect(events()).toEqual(['service_crashed', 'service_restarted']);
    expect(monitor.statuses()[0]).toMatchObject({ state: 'running', restarts: 1 });
    await monitor.poll();
    expect(events()).toHaveLength(2);
  });

  it('reports down after two failed checks and back on the next healthy one, once each', async () => {
    await monitor.start();
    answer = { status: 503, instance: 'p1' };
    await monitor.poll();
    expect(events()).toEqual([]); // one failed check on a busy host is not a crash
    await monitor.poll();
    expect(events()).toEqual(['service_crashed']);
    expect(monitor.statuses()[0].state).toBe('restarting');
    answer = { status: 200, instance: 'p2' };
    await monitor.poll();
    expect(events()).toEqual(['service_crashed', 'service_restarted']);
    expect(monitor.statuses()[0]).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('a service that answers without an instance (an older image) is watched as before', async () => {
    answer = { status: 200 };
    await monitor.start();
    await monitor.poll();
    expect(events()).toEqual([]);
    expect(monitor.ready()).toBe(true);
  });
});
