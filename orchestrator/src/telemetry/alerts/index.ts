import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRuleFile, type RuleGroupSpec } from './rule-file.ts';

export { RuleEvaluator, toAlertEventView, type AlertEvent, type RuleHealth } from './rule-evaluator.ts';
export { createAlertsRoutes } from './http-routes.ts';
export { loadRuleFiles, parseRuleFile, type RuleGroupSpec } from './rule-file.ts';
export type { ActiveAlert, AlertState } from './alerting-rule.ts';

/** The rule files stack-mode Prometheus loads (`rule_files: [rules/*.yml]`); the hub evaluates the same. */
export const stackRulesDir = fileURLToPath(new URL('../../../../stack/prometheus/rules/', import.meta.url));

/** Reads every `*.yml` of a rules folder at boot (sync: a bad file stops the platform with its problems listed). */
export function readRulesDir(dir: string, defaultIntervalMs: number): RuleGroupSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((f) => parseRuleFile(join(dir, f), readFileSync(join(dir, f), 'utf8'), defaultIntervalMs));
}
