import { pino, type Logger } from 'pino';
import { trace, isSpanContextValid } from '@opentelemetry/api';

export type { Logger };

/**
 * pino JSON on stdout: `level` as a label, epoch-ms `time`, `service`, and inside a traced request the active
 * span's `trace_id` / `span_id`, so every line links to its trace.
 */
export function createLogger(service: string, level: string = 'info'): Logger {
  // Buffered stdout (flushed at 4 KiB and on exit): one write per batch instead of one per access line.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), 250).unref();
  return pino(
    {
      level,
      base: { service },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const ctx = trace.getActiveSpan()?.spanContext();
        return ctx && isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
      },
    },
    destination,
  );
}
