import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { issuesFrom } from '@observastack/sut-common/errors.ts';
import { scenarioSchema } from './scenario-schema.ts';
import { resolveScenario, type Scenario } from './scenario.ts';

export const builtInScenariosDir = fileURLToPath(new URL('../../../scenarios/', import.meta.url));

export interface ScenarioProblem {
  file: string;
  path: string;
  message: string;
}

export interface LoadedScenarios {
  scenarios: Scenario[];
  problems: ScenarioProblem[];
}

/**
 * Loads every `*.yaml` in `dir`. A bad file never half-loads: it is reported with file, path and reason, and
 * the others still load. Ids must be unique; `prefix` namespaces ids (`pack/id`) for scenario packs.
 */
export async function loadScenarios(dir: string = builtInScenariosDir, prefix = ''): Promise<LoadedScenarios> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const scenarios: Scenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const shown = relative(process.cwd(), file) || file;
    const r = parseScenario(await readFile(file, 'utf8'), shown, prefix);
    if ('problems' in r) {
      problems.push(...r.problems);
      continue;
    }
    if (scenarios.some((s) => s.id === r.scenario.id)) {
      problems.push({ file: shown, path: 'id', message: `duplicate scenario id "${r.scenario.id}"` });
      continue;
    }
    scenarios.push(r.scenario);
  }
  return { scenarios, problems };
}

export function parseScenario(
  text: string,
  file: string,
  prefix = '',
): { scenario: Scenario } | { problems: ScenarioProblem[] } {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : '(yaml)';
    return { problems: [{ file, path: where, message: (err as Error).message.split('\n')[0] }] };
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.flatMap((i) => issuesFrom(explain(i, []))).map((i) => ({ file, ...i })),
    };
  }
  const spec = prefix ? { ...parsed.data, id: `${prefix}/${parsed.data.id}` } : parsed.data;
  return { scenario: resolveScenario(spec, file) };
}

export function formatProblems(problems: ScenarioProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join('\n');
}

type Issue = z.core.$ZodIssue;

/**
 * zod reports a value that fits no form of a union as "Invalid input". Say which form it came closest to (the
 * one with the fewest problems, e.g. a hint trigger naming an unknown signal), or that it fits none.
 */
function explain(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ path, message: issue.message }];
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
  if (best.some((i) => i.code === 'unrecognized_keys' || (i.code === 'invalid_type' && i.input === undefined))) {
    return [{ path, message: 'matches none of the accepted forms (see docs/scenario-guide.md#fields)' }];
  }
  return best.flatMap((i) => explain(i, path));
}
