// `npm run scenarios:schema`: writes scenarios/scenario.schema.json and the generated reference sections of
// docs/scenario-guide.md from the zod schemas (a test fails when either is stale).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jsonSchemaText, updateGuide } from './schema-docs.ts';

export const jsonSchemaFile = fileURLToPath(new URL('../../../scenarios/scenario.schema.json', import.meta.url));
export const guideFile = fileURLToPath(new URL('../../../docs/scenario-guide.md', import.meta.url));

if (import.meta.main) {
  await writeFile(jsonSchemaFile, jsonSchemaText());
  await writeFile(guideFile, updateGuide(await readFile(guideFile, 'utf8')));
  console.log(`wrote ${jsonSchemaFile}\nupdated the reference sections of ${guideFile}`);
}
