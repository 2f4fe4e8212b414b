import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tsCacheHooks } from '@observastack/sut-common/launcher/services.ts';
import { pipeLines, stopChild } from '@observastack/sut-common/launcher/start-sut.ts';
import { startIsolatedSut, type TestDatabase, type TestSut } from '../../../test-support/sut-harness.ts';
import { createDbView, dbActivity, terminateBackend, type DbView } from '../../../orchestrator/src/db/db-activity.ts';

// The analytics rollup holds a SHARE lock on inventory.reservations for as long as it runs: checkouts, which
// insert into that table, must give up after their 1 s lock_timeout with a clear 503 instead of queueing, while
// stock lookups go on. Real inventory service, real job process, real PostgreSQL.
const jobPath = fileURLToPath(new URL('../src/jobs/analytics-rollup.ts', import.meta.url));

interface Job {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the job logged `msg` (it holds the lock from `rollup started` on). */
  logged(msg: string): Promise<Record<string, unknown>>;
}

let sut: TestSut & { db: TestDatabase };
let view: DbView;
const jobs: Job[] = [];

function startJob(extraEnv: Record<string, string> = {}): Job {
  const proc = spawn(process.execPath, ['--import', tsCacheHooks, jobPath], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: sut.db.url, OBS_LOG_LEVEL: 'debug', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  pipeLines(proc.stdout!, (l) => lines.push(JSON.parse(l)));
  pipeLines(proc.stderr!, (l) => stderr.push(l));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal })),
  );
  const logged = async (msg: string) => {
    let hit: Record<string, unknown> | undefined;
    await vi.waitFor(
      () => {
        hit = lines.find((l) => l.msg === msg);
        if (!hit) throw new Error(`job has not logged "${msg}"; stdout: ${JSON.stringify(lines)}; stderr: ${stderr}`);
      },
      { timeout: 20_000, interval: 50 },
    );
    return hit!;
  };
  const job = { proc, lines, exit, logged };
  jobs.push(job);
  return job;
}

let orderSeq = 0;
const reserve = async () => {
  const orderRef = `rollup-test-${process.pid}-${++orderSeq}`;
  const res = await fetch(`${sut.urls.inventory}/inventory/reservations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderRef, items: [{ productId: 7, quantity: 1 }] }),
    // Far above the 1 s lock_timeout: a checkout that queued behind the job's lock would never answer in time.
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const lookup = async () =>
  (await fetch(`${sut.urls.inventory}/inventory/stock/7`, { signal: AbortSignal.timeout(10_000) })).status;

beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  view = createDbView(sut.db.url);
});
afterEach(async () => {
  await Promise.all(jobs.splice(0).map((j) => stopChild(j.proc, 2000)));
});
afterAll(async () => {
  await view?.close();
  await sut?.stop();
});

describe('the analytics rollup job', () => {
  it('makes checkouts give up after 1 s on its lock while lookups answer; killing its backend fails it and frees checkout', async () => {
    expect((await reserve()).status, 'checkout works before the job').toBe(201);
    const job = startJob();
    await job.logged('rollup started');

    const t0 = performance.now();
    const refused = await reserve();
    const waitedMs = performance.now() - t0;
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('lock_timeout');
    expect(refused.body.error.message).toMatch(/waited 1 s for a lock on inventory\.reservations/);
    expect(waitedMs, 'it waited for the lock before giving up').toBeGreaterThanOrEqual(1000);
    const warn = await sut.waitForLog((e) => e.service === 'inventory' && e.json?.msg === 'lock wait timed out');
    expect(warn.json).toMatchObject({
      level: 'warn',
      operation: 'reservation_insert',
      table: 'inventory.reservations',
    });
    expect(String(warn.json?.statement)).toMatch(/^INSERT INTO inventory\.reservations/);
    expect(await lookup(), 'stock lookups do not touch reservations').toBe(200);
    await job.logged('rollup batch done'); // it does crunch while holding the lock

    const backend = (await dbActivity(view.pool)).backends.find((b) => b.application === 'analytics-rollup');
    expect(backend, 'the job is a backend of the shop database').toBeDefined();
    expect(await terminateBackend(view.pool, backend!.pid)).toEqual({
      pid: backend!.pid,
      application: 'analytics-rollup',
      terminated: true,
    });
    expect(await job.exit).toEqual({ code: 1, signal: null });
    const failed = job.lines.find((l) => l.level === 'error');
    expect(failed).toMatchObject({ service: 'inventory', job: 'analytics-rollup' });
    expect(String(failed?.msg)).toMatch(/terminating connection due to administrator command/);
    expect((await reserve()).status, 'checkout works once the job is gone').toBe(201);
  });

  it('rolls back and exits 0 on SIGTERM, releasing the lock', async () => {
    const job = startJob();
    await job.logged('rollup started');
    expect((await reserve()).body.error?.code).toBe('lock_timeout');
    job.proc.kill('SIGTERM');
    expect(await job.exit).toEqual({ code: 0, signal: null });
    expect(await job.logged('rollup stopped, transaction rolled back')).toMatchObject({ signal: 'SIGTERM' });
    expect((await reserve()).status).toBe(201);
  });

  it('commits and exits 0 when its time is up', async () => {
    const job = startJob({ OBS_JOB_MAX_SECONDS: '1' });
    expect(await job.exit).toEqual({ code: 0, signal: null });
    expect(job.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['rollup started', 'rollup finished']));
    expect((await reserve()).status).toBe(201);
  });
});
