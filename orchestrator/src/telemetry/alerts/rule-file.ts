import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { issuesText } from '@observastack/sut-common/errors.ts';
import { parsePromql } from '../promql/index.ts';

/** Prometheus durations in rule files (`5s`, `1m30s`, `0s`), in ms. */
export function parseRuleDurationMs(text: string): number {
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  const unit = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
  return unit.reduce((ms, u, i) => ms + Number(m[i + 1] ?? 0) * u, 0);
}

const duration = z.string().transform((s, ctx) => {
  try {
    return parseRuleDurationMs(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'invalid label name');
const expr = z
  .string()
  .min(1)
  .superRefine((e, ctx) => {
    try {
      parsePromql(e);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `the hub cannot evaluate it: ${(err as Error).message}` });
    }
  });

const alertingRuleSchema = z.strictObject({
  alert: z.string().regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, 'invalid alert name'),
  expr,
  for: duration.default(0),
  labels: z.record(labelName, z.string()).default({}),
  annotations: z.record(labelName, z.string()).default({}),
});

const recordingRuleSchema = z.strictObject({
  record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'invalid metric name'),
  expr,
  labels: z.record(labelName, z.string()).default({}),
});

/** A rule is recording when it has `record` and no `alert`; each kind's own schema then names every problem. */
const ruleSchema = z
  .unknown()
  .transform((r, ctx): z.infer<typeof alertingRuleSchema> | z.infer<typeof recordingRuleSchema> => {
    const recording = typeof r === 'object' && r !== null && 'record' in r && !('alert' in r);
    const result = (recording ? recordingRuleSchema : alertingRuleSchema).safeParse(r);
    if (result.success) return result.data;
    for (const i of result.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path });
    return z.NEVER;
  });

const groupSchema = z.strictObject({
  name: z.string().min(1),
  interval: duration.refine((ms) => ms > 0, 'a group interval must be greater than 0').optional(),
  rules: z.array(ruleSchema).min(1),
});

/** Prometheus's rule-file format (rulefmt), the subset the hub evaluates: alerting and recording rules. */
export const ruleFileSchema = z.strictObject({ groups: z.array(groupSchema) }).superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.groups.forEach((g, i) => {
    if (seen.has(g.name))
      ctx.addIssue({
        code: 'custom',
        path: ['groups', i, 'name'],
        message: `groupname: "${g.name}" is repeated in the same file`,
      });
    seen.add(g.name);
  });
});

export type AlertingRuleSpec = z.infer<typeof alertingRuleSchema>;
export type RecordingRuleSpec = z.infer<typeof recordingRuleSchema>;
export type RuleSpec = AlertingRuleSpec | RecordingRuleSpec;
export interface RuleGroupSpec {
  file: string;
  name: string;
  intervalMs: number;
  rules: RuleSpec[];
}

export const isAlertingRule = (r: RuleSpec): r is AlertingRuleSpec => 'alert' in r;

/** Parses one rule file's text; a problem throws with the file name and every issue's path. */
export function parseRuleFile(file: string, text: string, defaultIntervalMs: number): RuleGroupSpec[] {
  const result = ruleFileSchema.safeParse(parse(text));
  if (!result.success) {
    throw new Error(`${file}: ${issuesText(result.error.issues)}`);
  }
  return result.data.groups.map((g) => ({
    file,
    name: g.name,
    intervalMs: g.interval ?? defaultIntervalMs,
    rules: g.rules,
  }));
}

/** Reads and validates rule files (Prometheus's `rule_files`). */
export async function loadRuleFiles(files: string[], defaultIntervalMs: number): Promise<RuleGroupSpec[]> {
  const groups: RuleGroupSpec[] = [];
  for (const file of files) groups.push(...parseRuleFile(file, await readFile(file, 'utf8'), defaultIntervalMs));
  return groups;
}
