import { describe, expect, it, vi } from 'vitest';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import { run, logMsg, start, connect, useHub } from './ws-hub-test-kit.ts';

useHub();

describe('WsHub live logs', () => {
  it('subscribes with the filter and delivers the lines to that client only', async () => {
    const sends: ((m: ServerMessage) => void)[] = [];
    const subscribeLogs = vi.fn(
      (_f: { service?: string; level?: string; text?: string }, send: (m: ServerMessage) => void) => (
        sends.push(send), () => {}
      ),
    );
    const hub = await start({ subscribeLogs });
    const a = await connect();
    const b = await connect();
    a.send({ type: 'subscribe-logs', service: 'api', level: 'warn', text: 'timeout' });
    await a.sync();
    expect(subscribeLogs).toHaveBeenCalledTimes(1);
    expect(subscribeLogs.mock.calls[0][0]).toEqual({ service: 'api', level: 'warn', text: 'timeout' });
    sends[0](logMsg(1));
    hub.broadcast({ type: 'run', run: run('r1') });
    expect(await a.take(2)).toEqual([logMsg(1), { type: 'run', run: run('r1') }]);
    expect(await b.next()).toEqual({ type: 'run', run: run('r1') });
  });

  it('replaces a subscription: the previous one is ended before the new one starts', async () => {
    const calls: string[] = [];
    const hub = await start({
      subscribeLogs: (f) => (calls.push(`subscribe ${f.service}`), () => calls.push(`unsubscribe ${f.service}`)),
    });
    const a = await connect();
    a.send({ type: 'subscribe-logs', service: 'api' });
    a.send({ type: 'subscribe-logs', service: 'gateway' });
    await a.sync();
    expect(calls).toEqual(['subscribe api', 'unsubscribe api', 'subscribe gateway']);
  });

  it('ends the subscription on unsubscribe-logs, once', async () => {
    const unsubscribe = vi.fn();
    const hub = await start({ subscribeLogs: () => unsubscribe });
    const a = await connect();
    a.send({ type: 'subscribe-logs' });
    a.send({ type: 'unsubscribe-logs' });
    a.send({ type: 'unsubscribe-logs' });
    await a.sync();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('ends the subscription when the client goes away, and a late line for it goes nowhere', async () => {
    let send: ((m: ServerMessage) => void) | undefined;
    let unsubscribed!: () => void;
    const ended = new Promise<void>((resolve) => (unsubscribed = resolve));
    const hub = await start({ subscribeLogs: (_f, s) => ((send = s), unsubscribed) });
    const a = await connect();
    a.send({ type: 'subscribe-logs', text: 'x' });
    await a.sync();
    a.ws.terminate();
    await ended;
    expect(() => send!(logMsg(2))).not.toThrow();
  });

  it('ignores subscribe-logs when the platform has no log tail (no error either)', async () => {
    const hub = await start();
    const a = await connect();
    a.send({ type: 'subscribe-logs', service: 'api' });
    a.send({ type: 'unsubscribe-logs' });
    await a.sync(); // the next message is the heartbeat, not an error
  });
});
