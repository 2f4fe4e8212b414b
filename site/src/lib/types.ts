// Types of what the orchestrator sends. The protocol module is the contract; everything here is `import type`,
// so no orchestrator code (and no zod) reaches the browser bundle.
export type {
  RunView,
  RunEvent,
  HintView,
  RunState,
  SloView,
  StageTimes,
  StartRunBody,
  ErrorBody,
  SecondStatsView,
  ServerMessage,
  ClientMessage,
  ServiceStatus,
  AlertEventView,
  LoadFiguresView,
  ChangeEntry,
} from '../../../orchestrator/src/protocol/index.ts';
export type { Panel as PanelMeta } from '../../../orchestrator/src/telemetry/catalog/panel-schema.ts';
export type { TraceSummary, TraceDetail, WaterfallSpan } from '../../../orchestrator/src/telemetry/traces/span.ts';
export type { LogEntry } from '../../../orchestrator/src/telemetry/logs/log-entry.ts';

import type { ServerMessage } from '../../../orchestrator/src/protocol/index.ts';
export type Resolution = Extract<ServerMessage, { type: 'resolution' }>;
export type LogLine = Extract<ServerMessage, { type: 'log' }>['line'];

// Shapes of REST answers that the protocol module does not (yet) export as schemas; they mirror
// orchestrator/src/api/scenarios-routes.ts (publicScenario), services-routes.ts and runs/postmortem.ts.
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

export interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: (string | number)[];
}

export interface ServiceView {
  name: string;
  healthy: boolean;
  config: Record<string, unknown> | null;
  schema: { properties?: Record<string, JsonSchemaProperty> } | null;
}

export interface Postmortem {
  runId: string;
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

export interface PromMatrix {
  resultType: 'matrix';
  result: { metric: Record<string, string>; values: [number, string][] }[];
}

export interface PanelData {
  panel: import('../../../orchestrator/src/telemetry/catalog/panel-schema.ts').Panel;
  results: { expr: string; legend: string; data: PromMatrix }[];
}

/** `GET /api/telemetry/metrics/query_exemplars` (Prometheus's shape; orchestrator/src/telemetry/metrics/exemplar-store.ts). */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}
