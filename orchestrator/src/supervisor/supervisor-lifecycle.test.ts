import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { supervisorHarness } from './supervisor-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.UTC(2030, 0, 7, 9, 0, 0));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Supervisor start and stop', () => {
  it('starts the services in dependency order, each healthy before the next', async () => {
    const h = supervisorHarness();
    expect(h.supervisor.statuses().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);

    const steps: string[] = [];
    await h.supervisor.startAll((name) => steps.push(name));
    expect(h.steps).toEqual([
      'spawn:inventory',
      'healthy:inventory',
      'spawn:api',
      'healthy:api',
      'spawn:gateway',
      'healthy:gateway',
    ]);
    expect(steps).toEqual(['inventory', 'api', 'gateway']);
    expect(h.supervisor.statuses()).toEqual(
      h.children.map((c) => ({ name: c.name, state: 'running', pid: c.pid, restarts: 0, lastExit: null })),
    );
    expect(h.statuses.map((s) => `${s.name} ${s.state}`)).toEqual([
      'inventory starting',
      'inventory running',
      'api starting',
      'api running',
      'gateway starting',
      'gateway running',
    ]);
  });

  it('hands out copies of the statuses', async () => {
    const h = supervisorHarness();
    await h.supervisor.startAll();
    h.supervisor.statuses()[0].state = 'stopped';
    expect(h.status('inventory').state).toBe('running');
  });

  it('passes each whole output line on, with its service and stream', async () => {
    const h = supervisorHarness();
    await h.supervisor.startAll();
    const api = h.current('api');
    const stdoutDone = once(api.stdout, 'data');
    api.stdout.write('{"msg":"one"}\n{"msg":"tw');
    await stdoutDone;
    const stderrDone = once(api.stderr, 'data');
    api.stderr.write('boom\n');
    await stderrDone;

    expect(h.lines).toEqual(['api stdout: {"msg":"one"}', 'api stderr: boom']);
  });

  it('stops every service with SIGTERM, gateway first, and does not restart them', async () => {
    const h = supervisorHarness();
    await h.supervisor.startAll();
    const [inventory, api, gateway] = h.children;
    await h.supervisor.stopAll();

    expect([gateway, api, inventory].map((c) => c.signals)).toEqual([['SIGTERM'], ['SIGTERM'], ['SIGTERM']]);
    const stopOrder = h.statuses.filter((s) => s.state === 'stopped').map((s) => s.name);
    expect(stopOrder).toEqual(['gateway', 'api', 'inventory']);
    expect(h.supervisor.statuses().map((s) => [s.state, s.pid, s.lastExit])).toEqual([
      ['stopped', null, 'signal SIGTERM'],
      ['stopped', null, 'signal SIGTERM'],
      ['stopped', null, 'signal SIGTERM'],
    ]);
    expect(h.events).toEqual([]);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.children).toHaveLength(3);
  });

  it('does not bring back a crashed service whose restart was pending when the stop came', async () => {
    const h = supervisorHarness();
    await h.supervisor.startAll();
    const api = h.current('api');
    const exited = once(api, 'exit');
    api.crash(1);
    await exited;
    expect(h.events.map((e) => e.type)).toEqual(['service_crashed']);

    await h.supervisor.stopAll();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.spawns('api')).toBe(1);
    expect(h.events.map((e) => e.type)).toEqual(['service_crashed']);
    expect(h.status('api').restarts).toBe(0);
  });
});
