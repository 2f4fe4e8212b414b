import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startSut, type StartedSut } from '@observastack/sut-common/launcher/start-sut.ts';
import type { SutPorts, SutServiceName } from '@observastack/sut-common/launcher/services.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import { mintToken } from '@observastack/sut-common/auth/tokens.ts';
import { freePort } from '@observastack/sut-common/launcher/free-port.ts';
export { freePort };

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database (closing any connection still open to it). */
  drop(): Promise<void>;
}

const withAdmin = async <T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

/**
 * A private copy of the migrated, seeded shop database, so a test file may break it (drop the index, fill
 * orders) without touching the others. `CREATE DATABASE … TEMPLATE` copies the files (about 1 s for the 500k
 * stock rows, against about 3 s for migrating anew) but needs the template free of connections: a backend
 * of a process that just stopped may linger a moment, so it is retried for a few seconds.
 */
export async function copyDatabase(adminUrl: string, template = 'observastack'): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, async (c) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await c.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
        return;
      } catch (err) {
        const busy = /is being accessed by other users/.test((err as Error).message);
        if (!busy || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(adminUrl, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

export interface LogEntry {
  service: SutServiceName;
  stream: 'stdout' | 'stderr';
  line: string;
  /** The pino JSON record, when the line is one. */
  json?: Record<string, unknown>;
}

export interface TestSutOptions {
  databaseUrl: string;
  otlpEndpoint?: string;
  /** Share of new traces sampled at the gateway (the platform's default is 0.2); all when not given. */
  traceSampleRatio?: number;
  extraEnv?: Record<string, string>;
  /** Services' log level (default info). */
  logLevel?: string;
  /** Keep only the last this many log lines (default: all; a load test keeps a few for error reports). */
  keepLogs?: number;
}

export interface TestSut {
  /** `api` and `inventory` also serve the admin routes (compatibility); `*Admin` are the admin threads' ports. */
  urls: {
    gateway: string;
    gatewayAdmin: string;
    api: string;
    apiAdmin: string;
    inventory: string;
    inventoryAdmin: string;
  };
  /** Every output line of the three services so far, in arrival order. */
  logs: LogEntry[];
  /** A config-write token signed with this SUT's secret (audience sut-config). */
  token(subject?: string): Promise<string>;
  /** The HS256 secret the services verify tokens with (to build bad tokens from). */
  secret: Uint8Array;
  /** Waits until a log line matches (or throws after `timeoutMs`). */
  waitForLog(match: (e: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  stop(): Promise<void>;
}

/** Starts gateway, api and inventory as real child processes on free ports, capturing their logs. */
export async function startTestSut(opts: TestSutOptions): Promise<TestSut> {
  const dir = await mkdtemp(join(tmpdir(), 'observastack-sut-'));
  const secretFile = join(dir, 'secrets/jwt-secret');
  const secret = await loadOrCreateSecret(secretFile);
  const logs: LogEntry[] = [];
  const onOutput = (service: SutServiceName, stream: 'stdout' | 'stderr', line: string) => {
    if (opts.keepLogs === 0) return;
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
    } catch {
      // not a JSON log line (e.g. a Node warning on stderr)
    }
    logs.push({ service, stream, line, json });
    if (opts.keepLogs !== undefined && logs.length > opts.keepLogs) logs.splice(0, logs.length - opts.keepLogs);
  };
  let sut: StartedSut | undefined;
  let ports: SutPorts;
  // A free port can be taken by another process between the check and the listen: then pick new ports.
  for (let attempt = 1; ; attempt++) {
    ports = {
      gateway: await freePort(),
      gatewayAdmin: await freePort(),
      api: await freePort(),
      apiAdmin: await freePort(),
      inventory: await freePort(),
      inventoryAdmin: await freePort(),
    };
    try {
      sut = await startSut({
        ports,
        databaseUrl: opts.databaseUrl,
        secretFile,
        otlpEndpoint: opts.otlpEndpoint,
        traceSampleRatio: opts.traceSampleRatio,
        logLevel: opts.logLevel,
        extraEnv: opts.extraEnv,
        onOutput,
      });
      break;
    } catch (err) {
      const portTaken = logs.some((l) => /is already in use/.test(l.line));
      if (portTaken && attempt < 3) {
        logs.length = 0;
        continue;
      }
      await rm(dir, { recursive: true, force: true });
      const tail = logs
        .slice(-20)
        .map((l) => `${l.service}: ${l.line}`)
        .join('\n');
      throw new Error(`SUT did not start: ${(err as Error).message}\n${tail}`, { cause: err });
    }
  }
  const started = sut;
  const base = (port: number) => `http://127.0.0.1:${port}`;
  return {
    urls: {
      gateway: base(ports.gateway),
      gatewayAdmin: base(ports.gatewayAdmin),
      api: base(ports.api),
      apiAdmin: base(ports.apiAdmin),
      inventory: base(ports.inventory),
      inventoryAdmin: base(ports.inventoryAdmin),
    },
    logs,
    secret,
    token: (subject = 'test') => mintToken({ secret, subject, ttlSeconds: 300 }),
    waitForLog: async (match, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs.find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error('no matching log line');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database copied from the seeded one plus a SUT on it; `stop()` stops both. */
export async function startIsolatedSut(
  adminUrl: string,
  opts: Omit<TestSutOptions, 'databaseUrl'> = {},
): Promise<TestSut & { db: TestDatabase }> {
  const db = await copyDatabase(adminUrl);
  try {
    const sut = await startTestSut({ ...opts, databaseUrl: db.url });
    return {
      ...sut,
      db,
      stop: async () => {
        await sut.stop();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}
