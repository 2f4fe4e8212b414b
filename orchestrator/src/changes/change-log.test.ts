import { describe, expect, it } from 'vitest';
import { ChangeLog, changeLogCap } from './change-log.ts';

describe('ChangeLog', () => {
  it('logs an incident as teams do: a release as a deploy by the pipeline, a setting as a platform-team push', () => {
    const log = new ChangeLog();
    log.record('api', 'scenario', [{ key: 'pricingVersion', from: '1.0', to: '1.1' }], 1000);
    log.record('gateway', 'scenario', [{ key: 'upstreamPoolSize', from: 64, to: 2 }], 2000);
    expect(log.list()).toEqual([
      {
        id: 2,
        at: 2000,
        service: 'gateway',
        kind: 'config',
        by: 'platform-team',
        summary: 'gateway config push: upstreamPoolSize',
        changes: [{ key: 'upstreamPoolSize', from: 64, to: 2 }],
      },
      {
        id: 1,
        at: 1000,
        service: 'api',
        kind: 'deploy',
        by: 'release-pipeline',
        summary: 'api release 1.1 rolled out (was 1.0)',
        changes: [{ key: 'pricingVersion', from: '1.0', to: '1.1' }],
      },
    ]);
    expect(JSON.stringify(log.list())).not.toMatch(/fault|scenario|incident/i);
  });

  it('names the learner "you" and the platform\'s own resets, and splits a release from settings in one write', () => {
    const log = new ChangeLog();
    log.record('api', 'learner', [
      { key: 'pricingVersion', from: '1.1', to: '1.0' },
      { key: 'workerPoolSize', from: 4, to: 8 },
    ]);
    log.record('api', 'orchestrator', [{ key: 'workerPoolSize', from: 8, to: 4 }]);
    expect(log.list().map((e) => [e.kind, e.by, e.summary])).toEqual([
      ['config', 'observastack', "api config restored to the lesson's baseline"],
      ['config', 'you', 'api config push: workerPoolSize'],
      ['deploy', 'you', 'api release 1.0 rolled out (was 1.1)'],
    ]);
  });

  it('logs nothing for a write that changed nothing, and keeps at most changeLogCap entries, newest', () => {
    const log = new ChangeLog();
    log.record('inventory', 'learner', []);
    expect(log.list()).toEqual([]);
    for (let i = 0; i < changeLogCap + 20; i++)
      log.record('inventory', 'learner', [{ key: 'dbPoolMax', from: i, to: i + 1 }]);
    expect(log.list(1000)).toHaveLength(changeLogCap);
    expect(log.list(1)[0].changes[0].to).toBe(changeLogCap + 20);
  });
});
