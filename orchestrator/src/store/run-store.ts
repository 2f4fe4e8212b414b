import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { RunState, StageTimes } from '../protocol/run.ts';
import type { RunEvent } from '../protocol/run-events.ts';

export const controlMigrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface RunRecord {
  id: string;
  scenarioId: string;
  surprise: boolean;
  /** Announced by its page only (the learner is on call); false for runs stored before the column existed. */
  onCall: boolean;
  seed: number | null;
  state: RunState;
  reason: string | null;
  startedAt: number;
  injectedAt: number | null;
  breachedAt: number | null;
  endedAt: number | null;
  stageTimes: StageTimes;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);
const ts = (n: number | null) => (n === null ? null : new Date(n));
const emptyStages: StageTimes = { detect: null, localize: null, diagnose: null, fix: null };

function toRecord(r: any): RunRecord {
  return {
    id: r.id,
    scenarioId: r.scenario_id,
    surprise: r.surprise,
    onCall: r.on_call ?? false,
    seed: r.seed,
    state: r.state,
    reason: r.reason,
    startedAt: ms(r.started_at)!,
    injectedAt: ms(r.injected_at),
    breachedAt: ms(r.breached_at),
    endedAt: ms(r.ended_at),
    stageTimes: { ...emptyStages, ...r.stage_times },
  };
}

/** Runs and their timelines in PostgreSQL (schema `control`). */
export class RunStore {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    // The server runs with synchronous_commit=off for the shop's checkouts; the run's record and timeline are
    // few writes that must survive a PostgreSQL crash, so this pool's sessions wait for the WAL flush.
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 4,
      application_name: 'orchestrator',
      options: '-c synchronous_commit=on',
    });
    this.pool.on('error', () => {});
  }

  async create(run: RunRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO control.runs (id, scenario_id, surprise, on_call, seed, state, started_at, stage_times) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [run.id, run.scenarioId, run.surprise, run.onCall, run.seed, run.state, ts(run.startedAt), run.stageTimes],
    );
  }

  async update(run: RunRecord): Promise<void> {
    await this.pool.query(
      `UPDATE control.runs SET state = $2, reason = $3, injected_at = $4, breached_at = $5, ended_at = $6, stage_times = $7 WHERE id = $1`,
      [run.id, run.state, run.reason, ts(run.injectedAt), ts(run.breachedAt), ts(run.endedAt), run.stageTimes],
    );
  }

  async addEvent(e: RunEvent): Promise<void> {
    // Idempotent: the engine retries an event whose write failed, and that write may have reached the server.
    await this.pool.query(
      `INSERT INTO control.run_events (run_id, seq, at, type, message, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run_id, seq) DO NOTHING`,
      [e.runId, e.seq, ts(e.at), e.type, e.message, e.data],
    );
  }

  async get(id: string): Promise<RunRecord | null> {
    const r = await this.pool.query('SELECT * FROM control.runs WHERE id = $1', [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async active(): Promise<RunRecord | null> {
    const r = await this.pool.query(
      `SELECT * FROM control.runs WHERE state IN ('pending', 'baseline', 'injected') LIMIT 1`,
    );
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async list(limit: number): Promise<RunRecord[]> {
    const r = await this.pool.query('SELECT * FROM control.runs ORDER BY started_at DESC LIMIT $1', [limit]);
    return r.rows.map(toRecord);
  }

  /** Read back as the engine wrote them from typed events (fields added later are optional in the types). */
  async events(runId: string): Promise<RunEvent[]> {
    const r = await this.pool.query('SELECT * FROM control.run_events WHERE run_id = $1 ORDER BY seq', [runId]);
    return r.rows.map((e) => ({
      runId: e.run_id,
      seq: e.seq,
      at: e.at.getTime(),
      type: e.type,
      message: e.message,
      data: e.data,
    }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
