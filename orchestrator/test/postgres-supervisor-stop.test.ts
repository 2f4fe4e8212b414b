import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '@observastack/sut-common/db/embedded-postgres.ts';
import { processesMentioning } from '../../bench/proc-tree.ts';
import { freePort } from '../../test-support/sut-harness.ts';
import { PostgresSupervisor } from '../src/supervisor/postgres-supervisor.ts';

/**
 * Ctrl-C reaches the whole process group, the embedded PostgreSQL included: its postmaster exits while the
 * platform is still stopping the services before it. A restart the supervisor starts then must not bring up a
 * server after the platform's stop (a soak's `npm start` left one running this way until PostgreSQL noticed
 * its deleted data folder a minute later).
 */
let dir: string | undefined;
let pg: RunningPostgres | undefined;

afterEach(async () => {
  await pg?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Gone within 5 s: the postmaster's children end after it. */
async function leftovers(path: string): Promise<number[]> {
  for (let i = 0; i < 20; i++) {
    const pids = await processesMentioning(path);
    if (pids.length === 0) return [];
    await new Promise((r) => setTimeout(r, 250));
  }
  return processesMentioning(path);
}

it('a stop during a restart stops the server that restart brings up', async () => {
  dir = await mkdtemp(join(tmpdir(), 'observastack-pg-stop-'));
  pg = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  const real = pg;
  let restartBegun!: () => void;
  const begun = new Promise<void>((r) => (restartBegun = r));
  const watched: RunningPostgres = {
    ...real,
    restart: () => {
      restartBegun();
      return real.restart();
    },
  };
  const sup = new PostgresSupervisor(watched, { onStatus: () => {}, firstBackoffMs: 10 });
  process.kill(real.pid()!, 'SIGINT');
  await begun;
  await sup.stop();
  expect(real.pid()).toBeNull();
  expect(await leftovers(dir)).toEqual([]);
});

it('after endSupervision the server is not restarted when it exits, and stop() still completes', async () => {
  dir = await mkdtemp(join(tmpdir(), 'observastack-pg-stop-'));
  pg = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  const statuses: string[] = [];
  const sup = new PostgresSupervisor(pg, { onStatus: (s) => statuses.push(s.state), firstBackoffMs: 10 });
  sup.endSupervision();
  process.kill(pg.pid()!, 'SIGINT');
  await pg.exited();
  await new Promise((r) => setTimeout(r, 300));
  expect(statuses).not.toContain('restarting');
  expect(pg.pid()).toBeNull();
  await sup.stop();
  expect(statuses.at(-1)).toBe('stopped');
  expect(await leftovers(dir)).toEqual([]);
});
