import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ReplacementBusy } from './supervisor.ts';
import { supervisorHarness } from './supervisor-fakes.ts';

async function started() {
  const h = supervisorHarness();
  await h.supervisor.startAll();
  return h;
}

describe('Supervisor rolling replacement (rollouts and restarts)', () => {
  it('starts the new process first and stops the old one only once the new one is healthy', async () => {
    const h = await started();
    const old = h.current('api');
    const r = await h.supervisor.replace('api', { OBS_API_RELEASE: '2026.12.1' });
    const fresh = h.current('api');
    expect(fresh).not.toBe(old);
    expect(h.steps.slice(-2)).toEqual(['spawn:api', 'replaced:api']);
    expect(old.signals).toEqual(['SIGTERM']);
    expect(fresh.signals).toEqual([]);
    expect(r.pid).toBe(fresh.pid);
    expect(h.supervisor.pid('api')).toBe(fresh.pid);
    expect(h.status('api')).toMatchObject({ state: 'running', pid: fresh.pid, restarts: 0 });
    // The old process's exit is the rollout's, not a crash.
    expect(h.events).toEqual([]);
    expect(h.envs.at(-1)).toEqual({ name: 'api', env: { OBS_API_RELEASE: '2026.12.1' } });
  });

  it('keeps the release after a crash: the restarted process runs the same code', async () => {
    const h = await started();
    await h.supervisor.replace('api', { OBS_API_RELEASE: '2026.12.1' });
    const exited = once(h.current('api'), 'exit');
    h.current('api').stderr.write(
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n',
    );
    await new Promise((r) => setImmediate(r));
    h.current('api').crash(134);
    await exited;
    expect(h.events[0].message).toBe(
      'api ran out of memory (JavaScript heap out of memory, exit code 134); restarting in 500 ms',
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(h.envs.at(-1)).toEqual({ name: 'api', env: { OBS_API_RELEASE: '2026.12.1' } });
    expect(h.status('api')).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('a new process that never becomes healthy is killed; the old one keeps serving with its release', async () => {
    const h = await started();
    const old = h.current('api');
    h.failHealth.set('api', 1);
    await expect(h.supervisor.replace('api', { OBS_API_RELEASE: '2026.12.1' })).rejects.toThrow(/no new healthy/);
    expect(h.current('api')).not.toBe(old);
    expect(h.current('api').signals).toEqual(['SIGTERM']);
    expect(old.signals).toEqual([]);
    expect(h.supervisor.pid('api')).toBe(old.pid);
    expect(h.supervisor.envOf('api')).toEqual({});
  });

  it('refuses a second rollout of the same service while one runs', async () => {
    const h = await started();
    const first = h.supervisor.replace('api');
    await expect(h.supervisor.replace('api')).rejects.toBeInstanceOf(ReplacementBusy);
    await first;
    // Another service can roll at the same time.
    const inventory = await h.supervisor.replace('inventory');
    expect(inventory.pid).toBe(h.current('inventory').pid);
  });
});
