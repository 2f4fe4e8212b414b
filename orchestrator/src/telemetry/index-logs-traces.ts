/**
 * The logs, traces and database half of the embedded telemetry hub: what the orchestrator wires.
 *
 *   const logs = createLogStore();                       // the supervisor ingests each SUT child's lines
 *   const traces = createTraceStore();
 *   const pgStats = createPgStats(shopDatabaseUrl);      // close() on shutdown
 *   app.use(createOtlpTraceReceiver({ store: traces })); // POST /v1/traces, before any app-wide body parser
 *   app.use('/api/telemetry', createLogsTracesRoutes({ logs, traces, pgStats }));
 *   logs.subscribe(filter, (batch, { dropped }) => ...); // live tail for the WebSocket
 */
export {
  createLogStore,
  type LogStore,
  type LogStoreOptions,
  type LogListener,
  type LogStoreStats,
} from './logs/log-store.ts';
export { logEntrySchema, type LogEntry } from './logs/log-entry.ts';
export {
  logFilterSchema,
  logQuerySchema,
  type LogFilter,
  type LogQuery,
  type LogQueryInput,
} from './logs/log-query.ts';
export { logLevelSchema, logLevels, type LogLevel } from './logs/log-level.ts';
export {
  createTraceStore,
  type TraceStore,
  type TraceStoreOptions,
  type TraceStoreStats,
} from './traces/trace-store.ts';
export { createOtlpTraceReceiver, type OtlpReceiverOptions } from './traces/otlp-receiver.ts';
export {
  spanSchema,
  traceSummarySchema,
  traceDetailSchema,
  waterfallSpanSchema,
  type Span,
  type TraceSummary,
  type TraceDetail,
  type WaterfallSpan,
} from './traces/span.ts';
export {
  traceSearchQuerySchema,
  traceIdParamSchema,
  type TraceSearchQuery,
  type TraceSearchQueryInput,
} from './traces/trace-search-query.ts';
export { createPgStats, type PgStats, type PgStatsOptions } from './db/pg-stats.ts';
export { pgSnapshotSchema, type PgSnapshot } from './db/pg-snapshot.ts';
export { createLogsTracesRoutes, type LogsTracesRoutesDeps } from './http/logs-traces-routes.ts';
