import { z } from 'zod';

/** pino's level labels, lowest first. The SUT logs them as strings (`formatters.level`). */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const logLevelSchema = z
  .enum(logLevels)
  .describe('Log level label as pino writes it (trace < debug < info < warn < error < fatal).');
export type LogLevel = z.infer<typeof logLevelSchema>;

const rank: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const aliases: Record<string, LogLevel> = {
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
  panic: 'fatal',
  verbose: 'debug',
};

/** Numeric severity of a label (pino's numbers), for "this level or worse" filters. */
export function levelRank(level: LogLevel): number {
  return rank[level];
}

/**
 * Reads a level as pino may write it: a label (`"warn"`, any case, common aliases) or pino's number (10..60,
 * custom numbers round down to the nearest known level). Anything else gives `fallback`.
 */
export function parseLevel(value: unknown, fallback: LogLevel = 'info'): LogLevel {
  if (typeof value === 'string') {
    const label = value.trim().toLowerCase();
    if (label in rank) return label as LogLevel;
    return aliases[label] ?? fallback;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    let found: LogLevel | undefined;
    for (const level of logLevels) if (value >= rank[level]) found = level;
    return found ?? 'trace';
  }
  return fallback;
}
