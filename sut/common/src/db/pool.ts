import pg, { type Pool as PgPool, type PoolClient, type QueryConfig, type QueryResultRow } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { HttpError } from '../errors.ts';
import { latencyBuckets, type ServiceMetrics } from '../metrics.ts';
import { ResizableSemaphore } from '../concurrency/resizable-semaphore.ts';
import { ClientGoneError, requestSignal } from '../http/request-signal.ts';

const tracer = trace.getTracer('observastack-db');

/**
 * A CLIENT span for one statement when the request is sampled (else nothing), in OpenTelemetry's database
 * semantic conventions: named `pg.query:<COMMAND> <database>` as the pg instrumentation names an unnamed
 * statement, with the SQL text (never the values) in `db.query.text`. By hand rather than
 * @opentelemetry/instrumentation-pg (which did it until 2026-12-05): that builds the span and its attributes for
 * every statement, sampled or not, and named each prepared statement after its opaque name (`observastack_3`).
 */
function statementSpan(text: string, operation: string | undefined, target: Attributes): Span | undefined {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  const command = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  return tracer.startSpan(`pg.query:${command} ${target['db.namespace']}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      ...target,
      'db.operation.name': command,
      'db.query.text': text,
      ...(operation ? { 'observastack.db.operation': operation } : {}),
    },
  });
}

/** The database and server a connection string names, as span attributes (a key=value string names none). */
function statementTarget(connectionString: string): Attributes {
  const target: Attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'postgres' };
  if (!URL.canParse(connectionString)) return target;
  const url = new URL(connectionString);
  return {
    ...target,
    'db.namespace': decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    'server.address': url.hostname,
    'server.port': Number(url.port) || 5432,
  };
}

export interface DbPoolOptions {
  url: string;
  service: string;
  max: number;
  metrics: ServiceMetrics;
  /** How long a caller waits for a free connection before failing. */
  acquireTimeoutMs?: number;
}

/** Most distinct statements given a name; beyond it a statement goes unnamed (dynamic SQL must not grow a cache). */
const maxNamedStatements = 100;
const statementNames = new Map<string, string>();

/**
 * A parameterised statement as a named prepared statement: each connection parses it once, and after five calls
 * PostgreSQL may keep one generic plan for it (when that is not costlier than planning each call). Unnamed,
 * every call was parsed and planned again: the catalogue search (`ILIKE` over 2 000 products, `ORDER BY id LIMIT`)
 * took 0.66 ms of backend CPU a call with a seq scan planned each time, 0.14 ms with the generic plan (an index
 * scan that stops at the page's 20th match); a page 0.087 -> 0.070 ms, a product 0.068 -> 0.040 ms (3 000 calls
 * each, docs/performance.md). PostgreSQL drops a cached plan when a table or index it used changes (the
 * db-slow-query incident drops and recreates an index). The name is the statement's text, numbered per process,
 * so one name never carries two texts; a statement without parameters (`SET LOCAL ...`) stays a simple query.
 */
export function statement(text: string, values?: unknown[]): QueryConfig {
  if (!values?.length) return { text };
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < maxNamedStatements) {
    name = `observastack_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/** Upper bound of the `dbPoolMax` knobs; the underlying pg.Pool never opens more than this. */
export const dbPoolCeiling = 100;

/**
 * A PostgreSQL pool whose size is a live knob. A resizable FIFO semaphore in front of one `pg.Pool` bounds
 * the connections checked out at once (pg.Pool's own `max` cannot shrink while connections are in use, and
 * swapping pools strands its waiters): growing wakes waiters at once, shrinking lets no new caller in until
 * use drops below the new size, and idle connections above it close after 10 s.
 * Exposes used/idle/pending gauges and a query-time histogram.
 */
export class DbPool {
  private readonly pool: PgPool;
  private readonly opts: DbPoolOptions;
  private readonly queryTime: Histogram<'operation'>;
  private readonly acquireErrors: Counter;
  private readonly slots: ResizableSemaphore;
  /** The database and server every statement span names. */
  private readonly target: Attributes;

  constructor(opts: DbPoolOptions) {
    this.opts = opts;
    this.target = statementTarget(opts.url);
    this.slots = new ResizableSemaphore(opts.max);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: dbPoolCeiling,
      application_name: opts.service,
      connectionTimeoutMillis: opts.acquireTimeoutMs ?? 1000,
      // node-postgres's own default. Each PostgreSQL backend holds ~2 MB of its own; a burst (a fixed incident
      // releasing its backlog) opens up to the pool's size, and with 30 s those stayed through the next burst.
      idleTimeoutMillis: 10_000,
    });
    this.pool.on('error', () => {}); // an idle client's connection dropped: the pool discards it
    const registers = [opts.metrics.registry];
    const self = this;
    this.queryTime = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Time of each SQL statement, by operation.',
      labelNames: ['operation'],
      buckets: latencyBuckets,
      registers,
    });
    this.acquireErrors = new Counter({
      name: 'db_pool_acquire_errors_total',
      help: 'Waits for a DB connection that timed out.',
      registers,
    });
    new Gauge({
      name: 'db_pool_max',
      help: 'Size limit of the DB pool (dbPoolMax).',
      registers,
      collect() {
        this.set(self.slots.size);
      },
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'PostgreSQL connections of this service: used (checked out) or idle.',
      labelNames: ['state'],
      registers,
      collect() {
        this.set({ state: 'used' }, self.slots.inUse);
        this.set({ state: 'idle' }, self.pool.idleCount);
      },
    });
    new Gauge({
      name: 'db_pool_pending_requests',
      help: 'Callers waiting for a DB connection.',
      registers,
      collect() {
        this.set(self.slots.waiting);
      },
    });
  }

  get max(): number {
    return this.slots.size;
  }

  /** Opens up to `n` connections ahead of traffic, so the first requests do not pay for connection setup. */
  async warm(n = Math.min(this.slots.size, 4)): Promise<void> {
    const clients = await Promise.all(Array.from({ length: n }, () => this.pool.connect()));
    for (const c of clients) c.release();
  }

  resize(max: number): void {
    this.slots.resize(max);
  }

  /** Runs one statement; `operation` names it in metrics (`stock_lookup`, `order_insert`, …). */
  async query<R extends QueryResultRow = QueryResultRow>(
    operation: string,
    text: string,
    values?: unknown[],
  ): Promise<R[]> {
    const client = await this.acquire();
    try {
      return await this.timed(operation, text, () => client.query<R>(statement(text, values))).then((r) => r.rows);
    } finally {
      client.release();
    }
  }

  /** Runs `fn` inside BEGIN/COMMIT on one connection, holding it for the whole transaction. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    const tx: Tx = {
      query: (op, text, values) =>
        this.timed(op, text, () => client.query(statement(text, values))).then((r) => r.rows),
    };
    // BEGIN and COMMIT are spans of the trace (time the connection is held) but not operations in the metrics.
    const control = (text: string) => this.traced(text, undefined, () => client.query(text));
    try {
      await control('BEGIN');
      const result = await fn(tx);
      await control('COMMIT');
      return result;
    } catch (err) {
      await control('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Waits for a slot and a connection; a sampled request sees the wait as a `db_pool.acquire` span. */
  private async acquire(): Promise<PoolClient> {
    const span = trace.getActiveSpan()?.isRecording() ? tracer.startSpan('db_pool.acquire') : undefined;
    try {
      await this.slots.acquire({ timeoutMs: this.opts.acquireTimeoutMs ?? 1000, signal: requestSignal() });
    } catch (err) {
      if (err instanceof ClientGoneError) {
        span?.end();
        throw err;
      }
      this.acquireErrors.inc();
      span?.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out waiting for a database connection' });
      span?.end();
      throw new HttpError(
        `timed out waiting for a database connection (dbPoolMax ${this.slots.size}, ${this.slots.waiting} waiting)`,
        { code: 'db_pool_exhausted', status: 503, cause: err },
      );
    }
    if (requestSignal()?.aborted) {
      // Waited in line for a request whose client left meanwhile: give the slot to one still waited for.
      this.slots.release();
      span?.end();
      throw new ClientGoneError();
    }
    try {
      const client = await this.pool.connect();
      let released = false;
      const release = client.release.bind(client);
      client.release = (e?: Error | boolean) => {
        if (released) return;
        released = true;
        release(e);
        this.slots.release();
      };
      return client;
    } catch (err) {
      this.slots.release();
      span?.recordException(err as Error);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: 'could not connect to the database' });
      throw new HttpError('database unavailable', { code: 'db_unavailable', status: 503, cause: err });
    } finally {
      span?.end();
    }
  }

  /** Runs one statement, timed by operation in `db_query_duration_seconds` and traced when sampled. */
  private async timed<T>(operation: string, text: string, fn: () => Promise<T>): Promise<T> {
    const end = this.queryTime.startTimer({ operation });
    try {
      return await this.traced(text, operation, fn);
    } finally {
      end();
    }
  }

  private async traced<T>(text: string, operation: string | undefined, fn: () => Promise<T>): Promise<T> {
    const span = statementSpan(text, operation, this.target);
    if (!span) return fn();
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export interface Tx {
  query<R extends QueryResultRow = QueryResultRow>(operation: string, text: string, values?: unknown[]): Promise<R[]>;
}
