import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgStats, type PgStats } from '../src/telemetry/db/pg-stats.ts';
import { pgSnapshotSchema, type PgSnapshot } from '../src/telemetry/db/pg-snapshot.ts';

const dbName = `telemetry_db_test_${randomBytes(4).toString('hex')}`;
let dbUrl: string;
let stats: PgStats;
const clients: pg.Client[] = [];

async function connect(application: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: dbUrl, application_name: application });
  await client.connect();
  clients.push(client);
  return client;
}

/** Takes snapshots until `check` holds; bounded in count, never asserting how long it took. */
async function until(check: (s: PgSnapshot) => boolean, attempts = 100, pauseMs = 30): Promise<PgSnapshot> {
  let last!: PgSnapshot;
  for (let i = 0; i < attempts; i++) {
    last = await stats.snapshot();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return last;
}

const table = (s: PgSnapshot, name: string) => s.tables.find((t) => t.table === name);
const appConnections = (s: PgSnapshot, app: string) => s.connections.find((c) => c.application === app);

beforeAll(async () => {
  // An own database: the seeded shop database must keep its index, and scan counters here move only by this test.
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${dbName}`;
  dbUrl = url.toString();
  const setup = await connect('test-setup');
  await setup.query(
    'CREATE SCHEMA probe; CREATE TABLE probe.stock (id serial PRIMARY KEY, product_id int NOT NULL, quantity int NOT NULL)',
  );
  await setup.query('INSERT INTO probe.stock (product_id, quantity) SELECT g, g % 7 FROM generate_series(1, 5000) g');
  await setup.query('CREATE INDEX stock_product_id_idx ON probe.stock (product_id); ANALYZE probe.stock');
  stats = createPgStats(dbUrl, { tables: ['probe.stock'] });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await stats?.close();
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

describe('PostgreSQL stats of the telemetry hub', () => {
  it('returns a snapshot matching its schema, with pg_stat_statements available on the embedded server', async () => {
    const s = pgSnapshotSchema.parse(await stats.snapshot());
    expect(s.database).toBe(dbName);
    expect(s.databases.map((d) => d.database)).toContain(dbName);
    expect(s.topStatements.available).toBe(true);
    expect(table(s, 'probe.stock')).toMatchObject({ table: 'probe.stock' });
  });

  it('shows a long-running statement among slow statements with its application name', async () => {
    const inventory = await connect('inventory');
    let seen: PgSnapshot['slowStatements'][number] | undefined;
    for (let attempt = 0; attempt < 3 && !seen; attempt++) {
      let done = false;
      const sleeping = inventory.query('SELECT pg_sleep(0.5)').finally(() => (done = true));
      while (!done && !seen) {
        const s = await stats.snapshot();
        seen = s.slowStatements.find((q) => q.application === 'inventory');
      }
      await sleeping;
    }
    expect(seen).toMatchObject({
      application: 'inventory',
      state: 'active',
      query: 'SELECT pg_sleep(0.5)',
      waitEventType: 'Timeout',
      waitEvent: 'PgSleep',
    });
    expect(seen!.durationMs).toBeGreaterThan(100);
    expect((await stats.snapshot()).slowStatements.some((q) => q.application === 'inventory')).toBe(false);
    await inventory.end();
  });

  it('counts connections by state and shows a statement waiting on a lock', async () => {
    const api = await connect('api');
    const inventory = await connect('inventory');
    await api.query('BEGIN');
    await api.query('LOCK TABLE probe.stock IN ACCESS EXCLUSIVE MODE');
    const blocked = inventory.query('SELECT count(*) FROM probe.stock');
    try {
      const s = await until(
        (x) =>
          (appConnections(x, 'inventory')?.waitingOnLock ?? 0) > 0 &&
          x.slowStatements.some((q) => q.application === 'inventory'),
      );
      expect(appConnections(s, 'inventory')).toMatchObject({ active: 1, waitingOnLock: 1 });
      expect(appConnections(s, 'api')).toMatchObject({ idleInTransaction: 1, total: 1 });
      expect(s.slowStatements.find((q) => q.application === 'inventory')).toMatchObject({
        waitEventType: 'Lock',
        query: 'SELECT count(*) FROM probe.stock',
      });
    } finally {
      await api.query('COMMIT');
      await blocked;
    }
    const after = await until((x) => appConnections(x, 'api')?.idleInTransaction === 0);
    expect(appConnections(after, 'api')).toMatchObject({ idle: 1, idleInTransaction: 0 });
  });

  it('shows index scans, then seq scans climbing once the index is dropped, and the statements in pg_stat_statements', async () => {
    const inventory = await connect('inventory');
    const lookup = 'SELECT quantity FROM probe.stock WHERE product_id = $1';
    const scans = async () => {
      for (let i = 1; i <= 5; i++) await inventory.query(lookup, [i * 13]);
      await inventory.query('SELECT pg_stat_force_next_flush()');
    };
    const before = table(await stats.snapshot(), 'probe.stock')!;
    await inventory.query('SET enable_seqscan = off'); // the planner must take the index while it exists
    await scans();
    const indexed = table(await until((x) => table(x, 'probe.stock')!.idxScan >= before.idxScan + 5), 'probe.stock')!;
    expect(indexed.idxScan).toBeGreaterThanOrEqual(before.idxScan + 5);
    expect(indexed.seqScan).toBe(before.seqScan);

    await inventory.query('RESET enable_seqscan; DROP INDEX probe.stock_product_id_idx');
    await scans();
    const dropped = table(await until((x) => table(x, 'probe.stock')!.seqScan >= indexed.seqScan + 5), 'probe.stock')!;
    expect(dropped.seqScan).toBeGreaterThanOrEqual(indexed.seqScan + 5);
    expect(dropped.seqTupRead).toBeGreaterThanOrEqual(indexed.seqTupRead + 5 * 5000);

    const top = (await stats.snapshot()).topStatements;
    expect(top.available).toBe(true);
    if (!top.available) return;
    const row = top.statements.find((q) => q.query === lookup);
    expect(row).toBeDefined();
    expect(row!.calls).toBeGreaterThanOrEqual(10);
    // The hub's own statements (marked with a leading comment) are left out of the top list.
    expect(
      top.statements.filter((q) => /observastack-telemetry|pg_stat_activity|pg_stat_user_tables/.test(q.query)),
    ).toEqual([]);
  });

  it('reads the seeded inventory.stock table by default and reports a missing extension instead of failing', async () => {
    const shop = createPgStats(inject('shopDatabaseUrl'));
    try {
      const s = await shop.snapshot();
      expect(table(s, 'inventory.stock')).toMatchObject({ table: 'inventory.stock' });
    } finally {
      await shop.close();
    }
    // A database where the extension cannot be read: the `postgres` role lacks nothing, so use a role without rights.
    const admin = await connect('test-setup');
    const role = `telemetry_ro_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'x'; DROP EXTENSION IF EXISTS pg_stat_statements`);
    const url = new URL(dbUrl);
    url.username = role;
    url.password = 'x';
    const limited = createPgStats(url.toString(), { tables: ['probe.stock'] });
    try {
      const s = await limited.snapshot();
      expect(s.topStatements).toMatchObject({
        available: false,
        reason: expect.stringMatching(/pg_stat_statements is not available/),
      });
      expect(s.database).toBe(dbName);
    } finally {
      await limited.close();
      await admin.query(`DROP ROLE ${role}`).catch(() => undefined);
    }
  });
});
