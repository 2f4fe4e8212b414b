import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeChild, supervisorHarness } from './supervisor-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.UTC(2030, 0, 7, 9, 0, 0));
});
afterEach(() => {
  vi.useRealTimers();
});

async function crash(child: FakeChild, code = 1): Promise<void> {
  const exited = once(child, 'exit');
  child.crash(code);
  await exited;
}

async function started() {
  const h = supervisorHarness();
  await h.supervisor.startAll();
  return h;
}

/** Crashes the api right away and returns the delay until the supervisor spawns it again (checked to the ms). */
async function crashAndMeasureRestart(h: Awaited<ReturnType<typeof started>>, expectedMs: number): Promise<void> {
  const before = h.spawns('api');
  await crash(h.current('api'));
  await vi.advanceTimersByTimeAsync(expectedMs - 1);
  expect(h.spawns('api'), `api respawned before ${expectedMs} ms`).toBe(before);
  await vi.advanceTimersByTimeAsync(1);
  expect(h.spawns('api'), `api not respawned after ${expectedMs} ms`).toBe(before + 1);
}

describe('Supervisor restart policy', () => {
  it('reports a crash, then restarts the service 500 ms later and reports it back', async () => {
    const h = await started();
    const first = h.current('inventory');
    await crash(first, 3);

    expect(h.status('inventory')).toMatchObject({
      state: 'restarting',
      pid: null,
      lastExit: 'exit code 3',
      restarts: 0,
    });
    expect(h.events).toEqual([
      { type: 'service_crashed', message: 'inventory stopped unexpectedly (exit code 3); restarting in 500 ms' },
    ]);
    expect(h.supervisor.pid('inventory')).toBeNull();

    await vi.advanceTimersByTimeAsync(499);
    expect(h.spawns('inventory')).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.spawns('inventory')).toBe(2);

    const second = h.current('inventory');
    expect(h.status('inventory')).toMatchObject({
      state: 'running',
      pid: second.pid,
      restarts: 1,
      lastExit: 'exit code 3',
    });
    expect(h.supervisor.pid('inventory')).toBe(second.pid);
    expect(h.events.at(-1)).toEqual({ type: 'service_restarted', message: 'inventory is back (restart 1)' });
    expect(h.statuses.filter((s) => s.name === 'inventory').map((s) => s.state)).toEqual([
      'starting',
      'running',
      'restarting',
      'restarting',
      'running',
      'running',
    ]);
    expect(h.spawns('api'), 'other services are left alone').toBe(1);
  });

  it('names the signal when a service is killed from outside', async () => {
    const h = await started();
    const exited = once(h.current('gateway'), 'exit');
    h.current('gateway').kill('SIGKILL');
    await exited;
    expect(h.events).toEqual([
      { type: 'service_crashed', message: 'gateway stopped unexpectedly (signal SIGKILL); restarting in 500 ms' },
    ]);
  });

  it('doubles the delay on each crash in a row, up to 10 s, and never gives up', async () => {
    const h = await started();
    for (const ms of [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]) await crashAndMeasureRestart(h, ms);

    expect(
      h.events.filter((e) => e.type === 'service_crashed').map((e) => e.message.replace(/.*restarting in /, '')),
    ).toEqual(['500 ms', '1000 ms', '2000 ms', '4000 ms', '8000 ms', '10000 ms', '10000 ms', '10000 ms']);
    expect(h.status('api')).toMatchObject({ state: 'running', restarts: 8 });
  });

  it('keeps backing off when the service crashes again within 30 s of being healthy', async () => {
    const h = await started();
    await crashAndMeasureRestart(h, 500);
    await vi.advanceTimersByTimeAsync(30_000);
    await crashAndMeasureRestart(h, 1000);
  });

  it('starts over at 500 ms once the service was healthy for more than 30 s', async () => {
    const h = await started();
    await crashAndMeasureRestart(h, 500);
    await crashAndMeasureRestart(h, 1000);
    await vi.advanceTimersByTimeAsync(30_001);
    await crashAndMeasureRestart(h, 500);
  });

  it('keeps backing off when a long-healthy service then never comes back healthy (a crash-on-boot loop)', async () => {
    const h = await started();
    await vi.advanceTimersByTimeAsync(60_000); // healthy for a minute
    h.failHealth.set('api', 3);
    await crash(h.current('api'));
    const delays = () =>
      h.events.filter((e) => e.type === 'service_crashed').map((e) => /restarting in (\d+) ms/.exec(e.message)?.[1]);
    await vi.advanceTimersByTimeAsync(500 + 20_000 + 1000 + 20_000 + 2000 + 20_000);
    expect(delays(), 'the backoff must grow while restarts fail, not start over at 500 ms').toEqual([
      '500',
      '1000',
      '2000',
      '4000',
    ]);
  });

  it('counts a restart that is not healthy in time as a crash: kills it and backs off further', async () => {
    const h = await started();
    h.failHealth.set('api', 1);
    await crash(h.current('api'));
    await vi.advanceTimersByTimeAsync(500);

    const unhealthy = h.current('api');
    expect(h.spawns('api')).toBe(2);
    expect(unhealthy.signals).toEqual(['SIGKILL']);
    expect(
      h.statuses.filter((s) => s.name === 'api').map((s) => s.lastExit),
      'the failed start is reported',
    ).toContain('api not healthy after 20000 ms');
    expect(h.events.filter((e) => e.type === 'service_restarted')).toEqual([]);
    expect(h.events.at(-1)).toEqual({
      type: 'service_crashed',
      message: 'api stopped unexpectedly (signal SIGKILL); restarting in 1000 ms',
    });
    expect(h.status('api')).toMatchObject({ state: 'restarting', pid: null, restarts: 1, lastExit: 'signal SIGKILL' });

    await vi.advanceTimersByTimeAsync(1000);
    expect(h.status('api')).toMatchObject({ state: 'running', pid: h.current('api').pid, restarts: 2 });
    expect(h.events.at(-1)).toEqual({ type: 'service_restarted', message: 'api is back (restart 2)' });
  });
});
