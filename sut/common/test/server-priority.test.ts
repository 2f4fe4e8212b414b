import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { postgresNice } from '../src/db/server-priority.ts';

// The integration run's PostgreSQL was started by startEmbeddedPostgres (test-support/global-setup.ts), which
// keeps its processes below the platform's priority. Checked on real backends, opened here.
const linux = process.platform === 'linux';
const autogroups = existsSync('/proc/self/autogroup');
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
});

const niceOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};
const autogroupOf = (pid: number) => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();

async function backendPid(): Promise<number> {
  const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
  clients.push(c);
  await c.connect();
  const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return r.rows[0].pid;
}

describe.runIf(linux)('PostgreSQL below the platform', () => {
  it('runs every new backend at postgresNice, in an autogroup at postgresNice too', async () => {
    const ownGroup = autogroups ? autogroupOf(process.pid) : '';
    // Several at once, as a pool that grows opens them: each is forked, then calls setsid().
    const pids = await Promise.all(Array.from({ length: 6 }, backendPid));
    await expect.poll(() => pids.map(niceOf), { timeout: 3000, interval: 50 }).toEqual(pids.map(() => postgresNice));
    if (!autogroups) return;
    await expect
      .poll(() => pids.map((p) => autogroupOf(p).endsWith(`nice ${postgresNice}`)), { timeout: 3000, interval: 50 })
      .toEqual(pids.map(() => true));
    // Each backend has a group of its own, and the group this process shares with the postmaster is untouched.
    expect(new Set(pids.map((p) => autogroupOf(p).split(' ')[0])).size).toBe(pids.length);
    expect(autogroupOf(process.pid)).toBe(ownGroup);
  });
});
