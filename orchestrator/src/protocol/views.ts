import type { Panel } from '../telemetry/catalog/panel-schema.ts';
import type { MatrixData } from '../telemetry/promql/engine.ts';
import type { Stage } from './run.ts';
import type { ServiceStatus } from './ws-messages.ts';

// The REST answers the lesson site reads that are not zod schemas: plain types, written once here and used by
// the routes that produce them (so the compiler holds both sides to one shape) and by the site (type-only).

export type { ExemplarSeries } from '../telemetry/metrics/exemplar-store.ts';
export type { Panel as PanelMeta } from '../telemetry/catalog/panel-schema.ts';
export type { TraceSummary, TraceDetail, WaterfallSpan } from '../telemetry/traces/span.ts';
export type { LogEntry } from '../telemetry/logs/log-entry.ts';

/** `GET /api/scenarios/:id`: what learners see of a scenario (no fix, no checkpoint answers). */
export interface PublicScenario {
  id: string;
  title: string;
  difficulty: string;
  estimatedMinutes: number;
  objectives: string[];
  story: string;
  slo: {
    successPct: number;
    latencyPercentile: number;
    latencyThresholdMs: number;
    windowSeconds: number;
    holdSeconds: number;
  };
  checkpoints: { id: string; stage: string; question: string; choices: string[] | null; freeText: boolean }[];
}

/** One property of a service's `/config/schema` (JSON Schema, as the service's zod schema renders it). */
export interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: (string | number)[];
}

/** `GET /api/services/:name`: a SUT service's health, process, runtime config and its schema. */
export interface ServiceView {
  name: string;
  healthy: boolean;
  process: ServiceStatus | null;
  config: Record<string, unknown> | null;
  schema: { properties?: Record<string, JsonSchemaProperty> } | null;
}

/** `GET /api/runs/:id/postmortem`: outcome, stage times and the timeline of a run. */
export interface Postmortem {
  runId: string;
  /** Null while a surprise run is still going (its incident is not named until it ends). */
  scenario: { id: string; title: string } | null;
  outcome: string;
  reason: string | null;
  startedAt: number;
  injectedAt: number | null;
  endedAt: number | null;
  durationSeconds: number | null;
  stageTimes: { ttd: number | null; ttl: number | null; ttdx: number | null; ttm: number | null; tta: number | null };
  learnerChanges: { at: number; offsetSeconds: number; message: string }[];
  timeline: { at: number; offsetSeconds: number; type: string; message: string }[];
  explanation: string | null;
}

/** Prometheus's `query_range` data (the hub answers in its shape). */
export type PromMatrix = MatrixData;

/** `GET /api/telemetry/metrics/panels/:id/data`: the panel and each of its queries' range result. */
export interface PanelData {
  panel: Panel;
  /** Where the figures come from: the embedded hub, or (stack mode) the real Prometheus. */
  source: 'hub' | 'prometheus';
  results: { expr: string; legend: string; data: PromMatrix }[];
}

/** `POST /api/runs/:id/checkpoints/:checkpointId`: the answer graded. */
export interface CheckpointAnswerView {
  correct: boolean;
  explanation: string;
  stage: Stage;
}

/** `POST /api/runs/:id/page/ack`: the pages acknowledged and the time to acknowledge (seconds). */
export interface PageAckView {
  alertnames: string[];
  ttaSeconds: number;
}

/** `PATCH /api/services/:name/config`: what the service changed (202: accepted, some of it still pending). */
export interface ConfigPatchView {
  changes: { key: string; from: unknown; to: unknown }[];
}
