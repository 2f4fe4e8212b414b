// Types of what the orchestrator sends, all from the protocol module (the contract); everything here is
// `export type`, so no orchestrator code (and no zod) reaches the browser bundle. Nothing is mirrored by hand.
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
  PublicScenario,
  JsonSchemaProperty,
  ServiceView,
  Postmortem,
  PromMatrix,
  PanelData,
  PanelMeta,
  ExemplarSeries,
  TraceSummary,
  TraceDetail,
  WaterfallSpan,
  LogEntry,
  CheckpointAnswerView,
  PageAckView,
  ConfigPatchView,
} from '../../../orchestrator/src/protocol/index.ts';

import type { ServerMessage } from '../../../orchestrator/src/protocol/index.ts';
export type Resolution = Extract<ServerMessage, { type: 'resolution' }>;
export type LogLine = Extract<ServerMessage, { type: 'log' }>['line'];
