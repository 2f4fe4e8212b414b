import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hogNice } from '../src/db/server-priority.ts';

// The integration run's PostgreSQL was started by startEmbeddedPostgres (test-support/global-setup.ts), which
// lowers a backend that hogs a core below the platform. Checked on real backends, opened here.
const autogroups = process.platform === 'linux' && existsSync('/proc/self/autogroup');
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
});

const autogroupOf = (pid: number) => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim();
const niceOf = (pid: number) => Number(autogroupOf(pid).split(' ').pop());

async function backend(): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  clients.push(client);
  await client.connect();
  const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: r.rows[0].pid };
}

describe.runIf(autogroups)('PostgreSQL backends that hog a core', () => {
  it('are lowered while they run, and only they; the platform keeps its own group as it was', async () => {
    const ownGroup = autogroupOf(process.pid);
    // A new backend starts lowered and keeps it for at least ten scans (~1 s): each is looked at as soon as it
    // exists, before the next one is opened, so a slow machine cannot make the check miss that window.
    const lowered = async () => {
      const b = await backend();
      await expect.poll(() => niceOf(b.pid), { timeout: 2500, interval: 10 }).toBe(hogNice);
      return b;
    };
    const busy = await lowered();
    const quiet = await lowered();
    // Each backend is a session, so a scheduling group, of its own; both get their weight back once calm.
    expect(autogroupOf(busy.pid).split(' ')[0]).not.toBe(autogroupOf(quiet.pid).split(' ')[0]);
    const both = () => [niceOf(busy.pid), niceOf(quiet.pid)];
    await expect.poll(both, { timeout: 5000, interval: 50 }).toEqual([0, 0]);
    // CPU-bound for 3 s of wall time, however busy the machine is.
    const burn = busy.client.query(
      `DO $$ DECLARE t timestamptz := clock_timestamp(); BEGIN
         WHILE clock_timestamp() < t + interval '3 seconds' LOOP END LOOP; END $$`,
    );
    await expect.poll(() => niceOf(busy.pid), { timeout: 2500, interval: 50 }).toBe(hogNice);
    expect(niceOf(quiet.pid)).toBe(0);
    await burn;
    await expect.poll(() => niceOf(busy.pid), { timeout: 2500, interval: 50 }).toBe(0);
    expect(autogroupOf(process.pid)).toBe(ownGroup);
  });
});
