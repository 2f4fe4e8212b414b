import { describe, expect, it } from 'vitest';
import { jobSince, restartText, rolloutText, stopJobText, terminateText, tookLabel } from './service-actions.ts';

describe('fix action outcomes', () => {
  it('writes durations in ms, seconds or minutes', () => {
    expect(tookLabel(340.4)).toBe('340 ms');
    expect(tookLabel(4230)).toBe('4.2 s');
    expect(tookLabel(1000)).toBe('1.0 s');
    expect(tookLabel(65_400)).toBe('1 min 05 s');
    expect(tookLabel(Number.NaN)).toBe('–');
  });

  it('says what each action did, as facts', () => {
    expect(restartText({ service: 'api', pid: 4567, tookMs: 1234 })).toBe('api restarted: new pid 4567, took 1.2 s.');
    expect(restartText({ service: 'gateway', pid: null, tookMs: 800 })).toBe(
      'gateway restarted: no new pid reported, took 800 ms.',
    );
    expect(rolloutText({ service: 'api', from: '2026.12.1', to: '2026.11.3', tookMs: 4200 })).toBe(
      'api now runs 2026.11.3 (was 2026.12.1); the rollout took 4.2 s.',
    );
    expect(terminateText({ pid: 42, application: 'analytics-rollup', terminated: true })).toBe(
      'Terminated backend 42 (analytics-rollup).',
    );
    expect(terminateText({ pid: 42, application: '', terminated: false })).toBe(
      'Backend 42 (no application name) was not terminated: it had already ended.',
    );
    const job = {
      name: 'analytics-rollup' as const,
      description: '',
      pid: null,
      startedAt: 1,
      endedAt: 2,
    };
    expect(stopJobText({ ...job, state: 'stopped', lastExit: 'signal SIGTERM' })).toBe(
      'analytics-rollup is stopped (signal SIGTERM).',
    );
    expect(stopJobText({ ...job, state: 'stopped', lastExit: null })).toBe('analytics-rollup is stopped.');
  });

  it('dates a job from its start while it runs, else from its end', () => {
    expect(jobSince({ state: 'running', startedAt: 10, endedAt: 5 })).toBe(10);
    expect(jobSince({ state: 'stopped', startedAt: 10, endedAt: 20 })).toBe(20);
    expect(jobSince({ state: 'failed', startedAt: 10, endedAt: null })).toBe(10);
    expect(jobSince({ state: 'idle', startedAt: null, endedAt: null })).toBeNull();
  });
});
