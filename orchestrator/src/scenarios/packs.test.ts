import { describe, expect, it } from 'vitest';
import { packManifestSchema, parsePackList } from './packs.ts';

const valid = {
  name: '@acme/sre-drills',
  version: '1.2.0',
  license: 'MIT',
  platform: '>=0.1.0 <1',
  description: 'Retry and timeout incidents.',
};
const issues = (input: unknown) => {
  const r = packManifestSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the pack manifest schema', () => {
  it('accepts a full manifest, scoped name and lessons folder included', () => {
    expect(packManifestSchema.parse({ ...valid, lessons: 'lessons' })).toEqual({ ...valid, lessons: 'lessons' });
  });

  it('accepts a minimal manifest', () => {
    expect(
      issues({ name: 'drills', version: '0.0.1', license: 'Apache-2.0 OR MIT', platform: '*', description: 'x' }),
    ).toEqual([]);
  });

  it('rejects bad names, versions, licences, ranges and unknown fields, naming each', () => {
    expect(
      issues({ name: 'Drills!', version: 'one', license: '', platform: 'newest', description: '', main: 'index.js' }),
    ).toMatchInlineSnapshot(`
      [
        "name: an npm package name: lowercase, optionally @scope/name",
        "version: a semantic version such as 1.0.0",
        "license: Too small: expected string to have >=1 characters",
        "license: an SPDX licence expression such as MIT",
        "platform: a semver range such as ^0.1.0",
        "description: Too small: expected string to have >=1 characters",
        ": Unrecognized key: "main"",
      ]
    `);
  });

  it('requires every field but lessons', () => {
    expect(issues({})).toMatchInlineSnapshot(`
      [
        "name: Invalid input: expected string, received undefined",
        "version: Invalid input: expected string, received undefined",
        "license: Invalid input: expected string, received undefined",
        "platform: Invalid input: expected string, received undefined",
        "description: Invalid input: expected string, received undefined",
      ]
    `);
  });
});

describe('OBS_SCENARIO_PACKS', () => {
  it('is a comma list; blanks and spaces are ignored', () => {
    expect(parsePackList(' ./a , @acme/drills,,b ')).toEqual(['./a', '@acme/drills', 'b']);
    expect(parsePackList(undefined)).toEqual([]);
    expect(parsePackList('')).toEqual([]);
  });
});
