import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles, parseRuleDurationMs, parseRuleFile } from './rule-file.ts';

const stackRules = fileURLToPath(new URL('../../../../stack/prometheus/rules/', import.meta.url));

describe('rule files', () => {
  it('loads every rule file of stack mode: the hub can evaluate each expression', async () => {
    const files = readdirSync(stackRules)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => stackRules + f);
    const groups = await loadRuleFiles(files, 60_000);
    expect(groups.map((g) => [g.name, g.intervalMs, g.rules.length])).toEqual([
      ['causes', 5_000, 4],
      ['slo-burn', 5_000, 2],
    ]);
  });

  it('a valid file with an alerting and a recording rule', () => {
    const [g] = parseRuleFile(
      'x.yml',
      `
groups:
  - name: g
    interval: 1m30s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        for: 2m
        labels: { severity: page }
        annotations: { summary: "{{ $labels.job }} down" }
`,
      60_000,
    );
    expect(g).toEqual({
      file: 'x.yml',
      name: 'g',
      intervalMs: 90_000,
      rules: [
        { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: {} },
        {
          alert: 'Down',
          expr: 'up == 0',
          for: 120_000,
          labels: { severity: 'page' },
          annotations: { summary: '{{ $labels.job }} down' },
        },
      ],
    });
  });

  it('a minimal file: defaults for interval, for, labels and annotations', () => {
    expect(parseRuleFile('m.yml', 'groups: [{ name: m, rules: [{ alert: A, expr: up }] }]', 5_000)).toEqual([
      {
        file: 'm.yml',
        name: 'm',
        intervalMs: 5_000,
        rules: [{ alert: 'A', expr: 'up', for: 0, labels: {}, annotations: {} }],
      },
    ]);
    expect([parseRuleDurationMs('0s'), parseRuleDurationMs('1h5m'), parseRuleDurationMs('250ms')]).toEqual([
      0, 3_900_000, 250,
    ]);
  });

  it('refuses a bad file with every problem named', () => {
    expect(() =>
      parseRuleFile(
        'bad.yml',
        `
groups:
  - name: g
    interval: soon
    rules:
      - alert: A
        expr: rate(up[5m:1m])
        for: 1 minute
      - alert: B
        record: b
        expr: up
  - name: g
    rules: [{ alert: C, expr: up, labels: { "bad-name": x } }]
`,
        5_000,
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[Error: bad.yml: groups.0.interval: not a valid duration string: "soon"; groups.0.rules.0.expr: the hub cannot evaluate it: a subquery is not supported by the embedded hub; groups.0.rules.0.for: not a valid duration string: "1 minute"; groups.0.rules.1: Unrecognized key: "record"; groups.1.rules.0.labels.bad-name: Invalid key in record]`,
    );
  });
});
