import { describe, expect, it, vi } from 'vitest';
import { backedUpBytes, backpressure, hopelessBytes } from './ws-hub.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import { WebSocket } from 'ws';
import { t0, run, event, hint, stats, logMsg, start, connect, useHub } from './ws-hub-test-kit.ts';

useHub();

describe('WsHub backpressure', () => {
  const types: ServerMessage['type'][] = [
    'snapshot',
    'run',
    'event',
    'hint',
    'stats',
    'resolution',
    'service',
    'log',
    'heartbeat',
    'error',
  ];
  const droppable = ['stats', 'log', 'heartbeat'];

  it.each(types)(
    '%s: sent up to the backed-up mark, dropped only if droppable above it, cut off beyond the hopeless mark',
    (type) => {
      expect(backpressure(type, 0)).toBe('send');
      expect(backpressure(type, backedUpBytes)).toBe('send');
      expect(backpressure(type, backedUpBytes + 1)).toBe(droppable.includes(type) ? 'drop' : 'send');
      expect(backpressure(type, hopelessBytes)).toBe(droppable.includes(type) ? 'drop' : 'send');
      expect(backpressure(type, hopelessBytes + 1)).toBe('terminate');
    },
  );

  it('skips droppable messages for a backed-up client, keeps the rest, and cuts it off when hopeless; others get everything', async () => {
    const hub = await start();
    let slowBuffered = 0;
    // The hub reads bufferedAmount on its own (server-side) sockets only. The slow client is the one that connected
    // with ?token= and no subprotocol, so its server-side socket has protocol ''.
    vi.spyOn(WebSocket.prototype, 'bufferedAmount', 'get').mockImplementation(function (this: WebSocket) {
      return this.protocol === '' ? slowBuffered : 0;
    });
    const fast = await connect();
    const slow = await connect({ viaQuery: true });
    slowBuffered = backedUpBytes + 1;
    const all: ServerMessage[] = [
      { type: 'stats', stats: stats(1) },
      logMsg(1),
      { type: 'heartbeat', serverTime: t0 },
      { type: 'run', run: run('r1') },
      { type: 'event', event: event(1) },
      { type: 'hint', hint },
      {
        type: 'resolution',
        runId: 'r1',
        outcome: 'resolved',
        scenarioId: 'slow-db',
        title: 'Slow database',
        explanation: 'pool',
        stageTimes: run('r1').stageTimes,
      },
      { type: 'service', service: { name: 'api', state: 'running', pid: 7, restarts: 0, lastExit: null } },
      { type: 'error', message: 'x' },
    ];
    for (const m of all) hub.broadcast(m);
    expect(await fast.take(all.length)).toEqual(all);
    expect(await slow.take(all.length - 3)).toEqual(all.filter((m) => !droppable.includes(m.type)));

    slowBuffered = hopelessBytes + 1;
    hub.broadcast({ type: 'run', run: run('r2') });
    expect(await slow.closed).toBe(1006);
    expect(await fast.next()).toEqual({ type: 'run', run: run('r2') });
    await vi.waitFor(() => expect(hub.size).toBe(1));
  });
});
