import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { guideFile, jsonSchemaFile } from './generate-schema-docs.ts';
import { jsonSchemaText, renderReference, updateGuide } from './schema-docs.ts';
import { knobSchemas } from './knobs.ts';
import { signalNames } from './signals.ts';

const regenerate = 'stale: run `npm run scenarios:schema` and commit the result';

describe('generated scenario reference', () => {
  it('scenarios/scenario.schema.json matches the zod schema', async () => {
    expect(await readFile(jsonSchemaFile, 'utf8'), regenerate).toBe(jsonSchemaText());
  });

  it('the reference sections of docs/scenario-guide.md match the schemas', async () => {
    const guide = await readFile(guideFile, 'utf8');
    expect(guide, regenerate).toBe(updateGuide(guide));
  });

  it('the reference names every knob and every signal', () => {
    const { knobs, signals } = renderReference();
    for (const [service, schema] of Object.entries(knobSchemas)) {
      for (const knob of Object.keys(schema.shape)) expect(knobs).toContain(`| \`${service}\` | \`${knob}\` |`);
    }
    for (const s of signalNames) expect(signals).toContain(`| \`${s}\` |`);
  });

  it('the JSON Schema spells out config states per service and knob, for editors', () => {
    const schema = JSON.parse(jsonSchemaText());
    const config = schema.properties.fault.properties.config;
    expect(Object.keys(config.properties)).toEqual(Object.keys(knobSchemas));
    expect(config.properties.api.properties.workerPoolSize).toMatchObject({ type: 'integer', minimum: 1, maximum: 64 });
    expect(config.additionalProperties).toBe(false);
  });

  it('refuses a guide without the markers', () => {
    expect(() => updateGuide('# no markers')).toThrow(/lacks the markers/);
  });
});
