import { pino, type Logger } from 'pino';
import { trace, isSpanContextValid } from '@opentelemetry/api';

export type { Logger };

/**
 * pino JSON on stdout: `level` as a label, epoch-ms `time`, `service`, and inside a traced request the active
 * span's `trace_id` / `span_id`, so every line links to its trace.
 */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    level,
    base: { service },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const ctx = trace.getActiveSpan()?.spanContext();
      return ctx && isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
    },
  });
}
