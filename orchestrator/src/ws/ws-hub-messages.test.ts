import { describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import {
  t0,
  heartbeatMs,
  malformed,
  run,
  event,
  hint,
  stats,
  snapshotMsg,
  token,
  start,
  attempt,
  connect,
  useHub,
} from './ws-hub-test-kit.ts';

useHub();

describe('WsHub messages', () => {
  it('sends each new client a snapshot built at connection time', async () => {
    let n = 0;
    const hub = await start({ snapshot: () => snapshotMsg(++n) });
    const a = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    const b = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    expect(await a.peer!.next()).toEqual({ ...snapshotMsg(1), run: run('r1') });
    expect(await b.peer!.next()).toEqual({ ...snapshotMsg(2), run: run('r2') });
    expect(hub.size).toBe(2);
  });

  it('broadcasts every message to every client, in order', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect({ viaQuery: true });
    const msgs: ServerMessage[] = [
      { type: 'run', run: run('r1') },
      { type: 'event', event: event(1) },
      { type: 'hint', hint },
      { type: 'stats', stats: stats(1) },
    ];
    for (const m of msgs) hub.broadcast(m);
    expect(await a.take(msgs.length)).toEqual(msgs);
    expect(await b.take(msgs.length)).toEqual(msgs);
  });

  it('forgets a client that closed and keeps broadcasting to the others', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    a.ws.close();
    expect(await a.closed).toBe(1005);
    await vi.waitFor(() => expect(hub.size).toBe(1));
    hub.broadcast({ type: 'run', run: run('r2') });
    expect(await b.next()).toEqual({ type: 'run', run: run('r2') });
  });

  it('answers ping with a heartbeat carrying the server clock, to that client only', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    vi.setSystemTime(t0 + 42_000);
    a.send({ type: 'ping' });
    expect(await a.next()).toEqual({ type: 'heartbeat', serverTime: t0 + 42_000 });
    hub.broadcast({ type: 'run', run: run('r1') });
    expect(await b.next()).toEqual({ type: 'run', run: run('r1') }); // no heartbeat before it
  });

  it('answers each malformed or unknown message with one error, and keeps the connection', async () => {
    const subscribeLogs = vi.fn(() => () => {});
    const hub = await start({ subscribeLogs });
    const a = await connect();
    const bad = [
      'not json',
      'null',
      '[]',
      '{"type":"admin"}',
      '{"no":"type"}',
      JSON.stringify({ type: 'subscribe-logs', service: 'x'.repeat(33) }),
      JSON.stringify({ type: 'subscribe-logs', level: 5 }),
    ];
    for (const m of bad) a.send(m);
    expect(await a.take(bad.length)).toEqual(bad.map(() => malformed));
    await a.sync();
    expect(subscribeLogs).not.toHaveBeenCalled();
    expect(hub.size).toBe(1);
  });

  it('closes a client that sends a frame over 16 KiB (1009) and forgets it', async () => {
    const hub = await start();
    const a = await connect();
    a.send('x'.repeat(16 * 1024 + 1));
    expect(await a.closed).toBe(1009);
    await vi.waitFor(() => expect(hub.size).toBe(0));
  });
});

describe('WsHub heartbeat', () => {
  it('pings every client and sends a heartbeat each period; a client that never pongs is cut off at the next one', async () => {
    const hub = await start();
    const live = await connect();
    const dead = await connect({ autoPong: false });
    const livePinged = new Promise<void>((resolve) => live.ws.once('ping', () => resolve()));
    const deadPinged = new Promise<void>((resolve) => dead.ws.once('ping', () => resolve()));

    vi.advanceTimersByTime(heartbeatMs);
    await Promise.all([livePinged, deadPinged]);
    expect(await live.next()).toEqual({ type: 'heartbeat', serverTime: t0 + heartbeatMs });
    expect(await dead.next()).toEqual({ type: 'heartbeat', serverTime: t0 + heartbeatMs });
    await live.sync(); // its automatic pong went out before this ping, so the hub has seen it

    vi.advanceTimersByTime(heartbeatMs);
    expect(await dead.closed).toBe(1006);
    expect(await live.next()).toEqual({ type: 'heartbeat', serverTime: t0 + 2 * heartbeatMs });
    await vi.waitFor(() => expect(hub.size).toBe(1));
  });

  it('close() cuts off every client and stops the heartbeat', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    expect(vi.getTimerCount()).toBe(1);
    hub.close();
    expect(await Promise.all([a.closed, b.closed])).toEqual([1006, 1006]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
