import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Who may import whom (docs/architecture.md, "Module map"). Each rule names the files it governs and the
// imports they may not make; a violation names the file, the import and the rule.
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Import {
  file: string;
  spec: string;
  /** Repository-relative target of a relative import; the package specifier otherwise. */
  target: string;
  typeOnly: boolean;
}

const importRe = /^\s*(import|export)\s+(type\s+)?(?:[\s\S]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
// `import('x')` loads a module; `import('x').Name` names a type in a type position.
const dynamicRe = /\bimport\(\s*['"]([^'"]+)['"]\s*\)(\.)?/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8');
  const resolveSpec = (spec: string) => (spec.startsWith('.') ? relative(root, join(root, dirname(file), spec)) : spec);
  const out: Import[] = [];
  for (const m of text.matchAll(importRe))
    out.push({ file, spec: m[3], target: resolveSpec(m[3]), typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(dynamicRe))
    out.push({ file, spec: m[1], target: resolveSpec(m[1]), typeOnly: Boolean(m[2]) });
  return out;
}

const files = (pattern: string) =>
  globSync(pattern, { cwd: root }).filter((f) => !f.includes('node_modules') && !/\.test\.tsx?$/.test(f));
const importsIn = (pattern: string) => files(pattern).flatMap(importsOf);
const show = (list: Import[]) => list.map((i) => `${i.file}: '${i.spec}'`);

/** The orchestrator modules whose types the browser may import (type-only: no zod, no server code). */
const browserTypeModules = ['orchestrator/src/protocol/'];
const testCode = /(^|\/)(test|e2e|bench|test-support)\//;
/** The protocol modules the browser may import values from: the session contract and the client's shared core. */
const browserValueModules = [
  'orchestrator/src/protocol/session-contract.ts',
  'orchestrator/src/protocol/client-core.ts',
];

describe('module map', () => {
  it('the browser code (islands and their lib) imports only types, and only from the protocol (values: the session contract and the client core alone)', () => {
    const outside = importsIn('site/src/{components,lib}/**/*.{ts,tsx}').filter(
      (i) => i.target.startsWith('orchestrator/') || i.target.startsWith('sut/'),
    );
    expect(outside.length).toBeGreaterThan(0); // the rule is looking at the real imports
    const bad = outside.filter(
      (i) =>
        !browserTypeModules.some((m) => i.target.startsWith(m)) ||
        (!i.typeOnly && !browserValueModules.includes(i.target)),
    );
    expect(show(bad)).toEqual([]);
    // What the browser loads of the protocol at run time imports nothing but itself (so no zod, no server code).
    const reaching = browserValueModules.flatMap(importsOf).filter((i) => !browserValueModules.includes(i.target));
    expect(show(reaching)).toEqual([]);
  });

  it('the SUT services never import the orchestrator, the site or each other: only @observastack/sut-common', () => {
    const bad = importsIn('sut/*/src/**/*.ts').filter((i) => {
      const own = i.file.split('/')[1];
      if (/^(orchestrator|site|bench|e2e)\//.test(i.target)) return true;
      if (/^@observastack\/(gateway|api|inventory|orchestrator)/.test(i.spec)) return true;
      // A relative import must stay inside its own package.
      return i.spec.startsWith('.') && !i.target.startsWith(`sut/${own}/`);
    });
    expect(show(bad)).toEqual([]);
  });

  it("the orchestrator reaches the SUT only through package exports (sut-common, the services' runtime-config and releases)", () => {
    const bad = importsIn('orchestrator/src/**/*.ts').filter(
      (i) =>
        i.target.startsWith('sut/') ||
        i.target.startsWith('site/') ||
        (/^@observastack\//.test(i.spec) &&
          !/^@observastack\/(sut-common\/|(gateway|api|inventory)\/(runtime-config|releases)$)/.test(i.spec)),
    );
    expect(show(bad)).toEqual([]);
  });

  it('production code never imports test code', () => {
    const prod = [
      ...importsIn('orchestrator/src/**/*.ts'),
      ...importsIn('sut/*/src/**/*.ts'),
      ...importsIn('site/src/**/*.{ts,tsx}'),
    ];
    const bad = prod.filter((i) => i.spec.startsWith('.') && testCode.test(i.target) && !testCode.test(i.file));
    expect(show(bad)).toEqual([]);
  });

  it('finds a violation when there is one (the checker itself)', () => {
    const fake: Import = {
      file: 'site/src/lib/x.ts',
      spec: '../../../orchestrator/src/runs/run-engine.ts',
      target: 'orchestrator/src/runs/run-engine.ts',
      typeOnly: false,
    };
    expect(browserTypeModules.some((m) => fake.target.startsWith(m))).toBe(false);
    const parsed = [
      ...`import type { A } from '../x.ts';\nimport { B } from "y";\nexport { C } from './z.ts';`.matchAll(importRe),
    ].map((m) => [m[3], Boolean(m[2])]);
    expect(parsed).toEqual([
      ['../x.ts', true],
      ['y', false],
      ['./z.ts', false],
    ]);
  });
});
