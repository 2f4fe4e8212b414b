import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderApiDocs, repoRoot } from './render.ts';

describe('docs/api.md and docs/openapi/*.json', () => {
  const rendered = renderApiDocs();
  it.each(Object.keys(rendered))('%s is up to date (run `npm run docs:api` when this fails)', (path) => {
    expect(readFileSync(repoRoot + path, 'utf8')).toBe(rendered[path]);
  });
  it('every operation names its network path and its auth', () => {
    for (const [path, content] of Object.entries(rendered)) {
      if (!path.endsWith('.json')) continue;
      const doc = JSON.parse(content);
      expect(doc.openapi).toBe('3.1.0');
      for (const methods of Object.values(doc.paths) as Record<string, any>[]) {
        for (const op of Object.values(methods)) {
          expect(['user', 'control', 'observability', 'internal']).toContain(op['x-network-path']);
          expect(['none', 'session', 'sut-config', 'local-process', 'alertmanager-token']).toContain(op['x-auth']);
        }
      }
    }
  });
  it('every state-changing orchestrator route needs the session token, except the session itself and the ingests', () => {
    const doc = JSON.parse(rendered['docs/openapi/orchestrator.json']);
    for (const [path, methods] of Object.entries(doc.paths) as [string, Record<string, any>][]) {
      for (const [method, op] of Object.entries(methods)) {
        if (method === 'get' && path !== '/ws') expect(op['x-auth'], `${method} ${path}`).toBe('none');
        else if (path !== '/api/session' && !path.startsWith('/v1/'))
          expect(op['x-auth'], `${method} ${path}`).toBe('session');
      }
    }
  });
});
