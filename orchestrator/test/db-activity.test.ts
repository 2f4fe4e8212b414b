import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { copyDatabase, type TestDatabase } from '../../test-support/sut-harness.ts';
import { createDbView, dbActivity, terminateBackend, type DbView } from '../src/db/db-activity.ts';
import { JobRunner } from '../src/jobs/job-runner.ts';
import { dbRoutes } from '../src/api/db-routes.ts';
import { jobsRoutes } from '../src/api/jobs-routes.ts';
import { errorMiddleware } from '../src/api/error-middleware.ts';
import { dbActivityResponseSchema, terminateResponseSchema } from '../src/protocol/db-activity.ts';
import { jobsResponseSchema, jobViewSchema, type ActionRecord, type JobView } from '../src/protocol/actions.ts';

// The DB view reads a real PostgreSQL's pg_stat_activity and pg_locks while real sessions block each other, and
// terminates real backends; the job runner starts and stops the shop's real rollup process.
let db: TestDatabase;
let view: DbView;
let server: Server;
let base: string;
let runner: JobRunner;
const actions: ActionRecord[] = [];
const jobLines: string[] = [];
const exits: JobView[] = [];
const clients: pg.Client[] = [];

async function connect(url: string, application: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: application });
  c.on('error', () => {}); // terminated on purpose by some tests
  await c.connect();
  clients.push(c);
  return c;
}
const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
const post = async (path: string) => {
  const res = await fetch(base + path, { method: 'POST', signal: AbortSignal.timeout(20_000) });
  return { status: res.status, body: (await res.json()) as any };
};
const get = async (path: string) => (await fetch(base + path, { signal: AbortSignal.timeout(20_000) })).json();

beforeAll(async () => {
  db = await copyDatabase(inject('pgAdminUrl'));
  view = createDbView(db.url);
  runner = new JobRunner({
    databaseUrl: db.url,
    onLine: (_service, _stream, line) => jobLines.push(line),
    onExit: (v) => exits.push(v),
  });
  const onAction = async (a: ActionRecord) => void actions.push(a);
  const app = express();
  app.use('/api', dbRoutes(view.pool, onAction), jobsRoutes(runner, onAction));
  app.use(errorMiddleware(() => {}));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await runner.stopAll();
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  actions.length = 0;
});
afterAll(async () => {
  await runner?.stopAll();
  await new Promise((r) => server?.close(r));
  await view?.close();
  await db?.drop();
});

describe('the DB view', () => {
  it('shows who blocks whom and the relation locks, and terminating the blocker lets the waiter through', async () => {
    const blocker = await connect(db.url, 'report-tool');
    const waiter = await connect(db.url, 'inventory');
    const platform = await connect(db.url, 'orchestrator'); // the platform's own connection: never shown
    const [blockerPid, waiterPid, platformPid] = await Promise.all([blocker, waiter, platform].map(pidOf));
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE inventory.reservations IN SHARE MODE');
    const insert = waiter.query("INSERT INTO inventory.reservations (order_ref) VALUES ('db-view-test-1')");

    let snap = await dbActivity(view.pool);
    await vi.waitFor(
      async () => {
        snap = await dbActivity(view.pool);
        expect(snap.backends.find((b) => b.pid === waiterPid)?.blockedBy).toEqual([blockerPid]);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(dbActivityResponseSchema.parse(snap)).toEqual(snap);
    expect(snap.database).toBe(db.name);
    expect(snap.backends[0], 'the blocker comes first').toMatchObject({
      pid: blockerPid,
      application: 'report-tool',
      state: 'idle in transaction',
      blockedBy: [],
      blocking: [waiterPid],
    });
    expect(snap.backends[0].xactAgeS).not.toBeNull();
    expect(snap.backends.find((b) => b.pid === waiterPid)).toMatchObject({
      application: 'inventory',
      state: 'active',
      waitEventType: 'Lock',
      waitEvent: 'relation',
      blocking: [],
    });
    expect(snap.backends.map((b) => b.pid)).not.toContain(platformPid);
    expect(snap.locks).toContainEqual({
      pid: blockerPid,
      locktype: 'relation',
      relation: 'inventory.reservations',
      mode: 'ShareLock',
      granted: true,
    });
    expect(snap.locks).toContainEqual({
      pid: waiterPid,
      locktype: 'relation',
      relation: 'inventory.reservations',
      mode: 'RowExclusiveLock',
      granted: false,
    });
    const noise = snap.locks.filter(
      (l) => l.granted && (l.locktype === 'virtualxid' || l.locktype === 'transactionid' || l.relation === null),
    );
    expect(noise, 'self-locks and catalog locks are left out').toEqual([]);

    const terminated = await post(`/api/db/backends/${blockerPid}/terminate`);
    expect(terminated.status).toBe(200);
    expect(terminateResponseSchema.parse(terminated.body)).toEqual({
      pid: blockerPid,
      application: 'report-tool',
      terminated: true,
    });
    expect(actions).toEqual([
      {
        action: 'terminate-backend',
        target: String(blockerPid),
        summary: `terminated PostgreSQL backend ${blockerPid} (report-tool)`,
        who: 'learner',
      },
    ]);
    await insert; // the waiter got its lock
    const after = await dbActivityResponseSchema.parseAsync(await get('/api/db/activity'));
    expect(after.backends.map((b) => b.pid)).not.toContain(blockerPid);
    expect(after.backends.find((b) => b.pid === waiterPid)?.blockedBy).toEqual([]);
  });

  it("refuses a pid that is not one of the shop database's backends", async () => {
    const elsewhere = await connect(inject('pgAdminUrl'), 'inventory'); // same server, another database
    const platform = await connect(db.url, 'orchestrator');
    const [elsewherePid, platformPid] = await Promise.all([elsewhere, platform].map(pidOf));
    for (const pid of [elsewherePid, platformPid, 2_147_483_000]) {
      await expect(terminateBackend(view.pool, pid)).rejects.toMatchObject({ status: 404, code: 'not_found' });
      const res = await post(`/api/db/backends/${pid}/terminate`);
      expect(res.status, `pid ${pid}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await elsewhere.query('SELECT 1 AS one')).rows, 'still connected').toEqual([{ one: 1 }]);
    expect((await platform.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const bad = await post('/api/db/backends/nope/terminate');
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('pid');
    expect(actions).toEqual([]);
  });
});

describe('the job runner', () => {
  it('starts, lists and stops the rollup; a stop is recorded; a second stop is refused', async () => {
    expect(jobsResponseSchema.parse(await get('/api/jobs')).jobs).toEqual([
      expect.objectContaining({ name: 'analytics-rollup', state: 'idle', pid: null, lastExit: null }),
    ]);
    const started = runner.start('analytics-rollup');
    expect(started).toMatchObject({
      state: 'running',
      description: 'Nightly reservations rollup for the analytics team (owner: data-platform)',
    });
    expect(started.pid).toBeGreaterThan(0);
    expect(runner.start('analytics-rollup').pid, 'starting a running job is a no-op').toBe(started.pid);
    await vi.waitFor(() => expect(jobLines.some((l) => JSON.parse(l).msg === 'rollup started')).toBe(true), {
      timeout: 20_000,
      interval: 50,
    });
    const backend = (await dbActivity(view.pool)).backends.find((b) => b.application === 'analytics-rollup');
    expect(backend?.query).toMatch(/pg_sleep|reservation_items|inventory\.reservations/);

    const stopped = await post('/api/jobs/analytics-rollup/stop');
    expect(stopped.status).toBe(200);
    expect(jobViewSchema.parse(stopped.body)).toMatchObject({ state: 'stopped', pid: null, lastExit: 'exit code 0' });
    expect(actions).toEqual([
      { action: 'stop-job', target: 'analytics-rollup', summary: 'analytics-rollup stopped', who: 'learner' },
    ]);
    expect((await dbActivity(view.pool)).backends.map((b) => b.application)).not.toContain('analytics-rollup');

    const again = await post('/api/jobs/analytics-rollup/stop');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_running');
    const unknown = await post('/api/jobs/nightly-backup/stop');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(actions).toHaveLength(1);
  });

  it('records a job whose backend was terminated as failed, with its last error line; it can start again', async () => {
    const first = runner.start('analytics-rollup');
    await vi.waitFor(
      async () => {
        const b = (await dbActivity(view.pool)).backends.find((x) => x.application === 'analytics-rollup');
        expect(typeof b?.xactAgeS, 'the job is in its transaction').toBe('number');
      },
      { timeout: 20_000, interval: 100 },
    );
    const backend = (await dbActivity(view.pool)).backends.find((b) => b.application === 'analytics-rollup')!;
    expect((await post(`/api/db/backends/${backend.pid}/terminate`)).status).toBe(200);
    await vi.waitFor(() => expect(runner.get('analytics-rollup').state).toBe('failed'), {
      timeout: 20_000,
      interval: 50,
    });
    const failed = runner.list()[0];
    expect(failed.lastExit).toMatch(/terminating connection due to administrator command/);
    expect(exits.at(-1)).toEqual(failed);
    const second = runner.start('analytics-rollup');
    expect(second).toMatchObject({ state: 'running', lastExit: failed.lastExit });
    expect(second.pid).not.toBe(first.pid);
  });
});
