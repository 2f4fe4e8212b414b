import { z } from 'zod';

const DURATION_RE = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** A time as the Prometheus API takes it: seconds since the epoch (float) or RFC 3339. */
export const timeParamSchema = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const n = Number(s);
    if (Number.isFinite(n)) return n;
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `cannot parse ${JSON.stringify(s)} to a valid timestamp` });
      return z.NEVER;
    }
    return ms / 1000;
  });

/** A step as the Prometheus API takes it: seconds (float) or a duration such as `15s`. */
export const stepParamSchema = z
  .string()
  .min(1)
  .transform((s, ctx) => {
    const n = Number(s);
    if (Number.isFinite(n) && n > 0) return n;
    const m = DURATION_RE.exec(s);
    const seconds = m
      ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000
      : 0;
    if (!(seconds > 0)) {
      ctx.addIssue({ code: 'custom', message: `cannot parse ${JSON.stringify(s)} to a valid positive duration` });
      return z.NEVER;
    }
    return seconds;
  });

export const queryRangeParamsSchema = z.object({
  query: z.string().min(1).describe('PromQL expression'),
  start: timeParamSchema.describe('Start of the range: unix seconds or RFC 3339'),
  end: timeParamSchema.describe('End of the range: unix seconds or RFC 3339'),
  step: stepParamSchema.default(1).describe('Resolution step: seconds or a duration like 5s (default 1 s)'),
});
export type QueryRangeParams = z.infer<typeof queryRangeParamsSchema>;

export const instantQueryParamsSchema = z.object({
  query: z.string().min(1).describe('PromQL expression'),
  time: timeParamSchema.optional().describe('Evaluation time: unix seconds or RFC 3339 (default now)'),
});
export type InstantQueryParams = z.infer<typeof instantQueryParamsSchema>;

export const panelDataParamsSchema = z.object({
  start: timeParamSchema.optional().describe('Start of the range (default: end minus 15 minutes)'),
  end: timeParamSchema.optional().describe('End of the range (default now)'),
  step: stepParamSchema.default(1).describe('Resolution step (default 1 s)'),
});
export type PanelDataParams = z.infer<typeof panelDataParamsSchema>;

export const exemplarQueryParamsSchema = z.object({
  query: z.string().min(1).describe('PromQL expression: the exemplars of every series its selectors read'),
  start: timeParamSchema.optional().describe('Start of the range (default: end minus 15 minutes)'),
  end: timeParamSchema.optional().describe('End of the range (default now)'),
});
