import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slug } from 'github-slugger';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { findPromtool } from '../../test-support/peer-tool.ts';

const rulesDir = fileURLToPath(new URL('../prometheus/rules/', import.meta.url));
const lessonsDir = fileURLToPath(new URL('../../content/lessons/', import.meta.url));
const promtool = findPromtool();
const ruleFiles = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(rulesDir, f));
const testFiles = readdirSync(join(rulesDir, 'tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => join(rulesDir, 'tests', f));

/** Runs promtool; a non-zero exit fails the test with everything promtool printed. */
function runPromtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(promtool as string, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('alert rules (stack/prometheus/rules)', () => {
  it('has rule files and unit-test files', () => {
    expect(ruleFiles.map((f) => f.split('/').at(-1))).toEqual(['cause-alerts.yml', 'slo-alerts.yml']);
    expect(testFiles.length).toBe(ruleFiles.length);
  });

  it.skipIf(!promtool)('pass `promtool check rules`', () => {
    const r = runPromtool(['check', 'rules', ...ruleFiles]);
    expect(r.status, r.output).toBe(0);
  });

  it.skipIf(!promtool)('pass `promtool test rules` (unit tests of each rule on synthetic series)', () => {
    const r = runPromtool(['test', 'rules', ...testFiles]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toContain('FAILED');
  });

  it.skipIf(!promtool)('promtool really tests: a rule with a raised threshold fails its unit tests', () => {
    const dir = mkdtempSync(join(tmpdir(), 'observastack-rules-'));
    scratch.push(dir);
    cpSync(rulesDir, dir, { recursive: true });
    const slo = join(dir, 'slo-alerts.yml');
    writeFileSync(slo, readFileSync(slo, 'utf8').replaceAll('> 14.4 * 0.01', '> 14.4 * 0.1'));
    const r = runPromtool(['test', 'rules', join(dir, 'tests', 'slo-alerts.test.yml')]);
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain('alertname: UsersErrorBudgetBurn');
  });

  it('every alert has a severity, a summary, a description and a runbook_url that is a lesson heading', () => {
    const problems: string[] = [];
    for (const file of ruleFiles) {
      const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: Record<string, any>[] }[] };
      for (const rule of doc.groups.flatMap((g) => g.rules)) {
        if (!rule.alert) continue;
        if (!['page', 'warning'].includes(rule.labels?.severity))
          problems.push(`${rule.alert}: severity ${rule.labels?.severity}`);
        for (const a of ['summary', 'description', 'runbook_url'])
          if (!rule.annotations?.[a]) problems.push(`${rule.alert}: no ${a}`);
        const m = /^\/lessons\/([a-z0-9-]+)\/#([a-z0-9-]+)$/.exec(rule.annotations?.runbook_url ?? '');
        const lesson = m && join(lessonsDir, `${m[1]}.mdx`);
        if (!m || !lesson || !existsSync(lesson)) {
          problems.push(`${rule.alert}: runbook_url ${rule.annotations?.runbook_url} is no lesson`);
          continue;
        }
        const anchors = [...readFileSync(lesson, 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map((h) => slug(h[1]));
        if (!anchors.includes(m[2]))
          problems.push(`${rule.alert}: no heading #${m[2]} in ${m[1]} (has ${anchors.join(', ')})`);
      }
    }
    expect(problems).toEqual([]);
  });
});
