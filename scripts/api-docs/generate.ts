// `npm run docs:api`: writes docs/openapi/*.json and the endpoint tables of docs/api.md from the zod schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderApiDocs, repoRoot } from './render.ts';

for (const [path, content] of Object.entries(renderApiDocs())) {
  mkdirSync(dirname(repoRoot + path), { recursive: true });
  writeFileSync(repoRoot + path, content);
  console.log(`wrote ${path}`);
}
