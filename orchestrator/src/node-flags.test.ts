import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { orchestratorNodeFlags } from './node-flags.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the orchestrator node flags', () => {
  it('are the ones `npm start` runs it with', () => {
    const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> })
      .scripts.start;
    const flags = orchestratorNodeFlags.map((f) => (f.startsWith('/') ? `./${relative(root, f)}` : f));
    expect(start).toContain(`node ${flags.join(' ')} orchestrator/src/main.ts`);
  });
});
