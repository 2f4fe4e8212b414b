// hadolint is in neither the npm registry nor Debian, so the Dockerfiles are checked by dockerfile-utils (the
// linter behind the VS Code Docker extension) plus the project's own rules over dockerfile-ast's parse tree.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { repoRoot } from './compose-model.ts';
import {
  defaultSutPorts,
  serviceArgs,
  serviceEnv,
  type SutServiceName,
} from '@observastack/sut-common/launcher/services.ts';
import { orchestratorNodeFlags } from '../../orchestrator/src/node-flags.ts';

const launcherOptions = { ports: defaultSutPorts, databaseUrl: 'postgres://x@127.0.0.1/x', secretFile: '/x' };

const images = {
  gateway: { file: 'sut/gateway/Dockerfile', workspace: 'sut/gateway' },
  api: { file: 'sut/api/Dockerfile', workspace: 'sut/api' },
  inventory: { file: 'sut/inventory/Dockerfile', workspace: 'sut/inventory' },
  orchestrator: { file: 'orchestrator/Dockerfile', workspace: 'orchestrator' },
} as const;

function load(file: string) {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const doc = DockerfileParser.parse(text);
  const instructions = doc.getInstructions();
  const froms = doc.getFROMs();
  const finalStart = froms.at(-1)?.getRange().start.line ?? 0;
  const final = instructions.filter((i) => i.getRange().start.line >= finalStart);
  const keyword = (list: typeof instructions, k: string) => list.filter((i) => i.getKeyword() === k);
  /** The name=value pairs of the final stage's LABEL or ENV instructions. */
  const properties = (k: 'LABEL' | 'ENV') =>
    Object.fromEntries(
      keyword(final, k)
        .flatMap((l) =>
          (l as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties(),
        )
        .map((p) => [p.getName(), p.getValue()]),
    );
  return { text, doc, instructions, froms, final, keyword, properties };
}

describe.each(Object.entries(images))('%s Dockerfile', (name, { file, workspace }) => {
  const df = load(file);

  it('has no linter errors (dockerfile-utils)', () => {
    expect(validate(df.text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage: the runtime stage copies dependencies built in an earlier stage', () => {
    expect(df.froms.length).toBeGreaterThanOrEqual(2);
    const stages = df.froms.slice(0, -1).map((f) => f.getBuildStage());
    const copiedFrom = df
      .keyword(df.final, 'COPY')
      .map((c) => (c as unknown as { getFromFlag(): { getValue(): string } | null }).getFromFlag()?.getValue());
    expect(copiedFrom).toContain('deps');
    for (const s of copiedFrom.filter(Boolean)) expect(stages).toContain(s);
  });

  it('pins every base image to a full version tag (never latest)', () => {
    const stages = new Set(df.froms.map((f) => f.getBuildStage()));
    for (const from of df.froms) {
      if (stages.has(from.getImageName() ?? '')) continue;
      expect(from.getImageName()).toBe('node');
      expect(from.getImageTag()).toMatch(/^22\.\d+\.\d+-bookworm-slim$/);
    }
  });

  it('installs production dependencies only, with the lockfile', () => {
    const deps = df.instructions.filter(
      (i) => i.getKeyword() === 'RUN' && /npm ci/.test(i.getArgumentsContent() ?? ''),
    );
    const prod = deps.filter((r) => /--omit=dev/.test(r.getArgumentsContent() ?? ''));
    expect(prod).toHaveLength(1);
    expect(prod[0].getArgumentsContent()).toMatch(new RegExp(`--workspace ${workspace} `));
    expect(df.keyword(df.final, 'RUN').filter((r) => /npm (ci|install)/.test(r.getArgumentsContent() ?? ''))).toEqual(
      [],
    );
  });

  it('runs as the non-root user `node`', () => {
    const users = df.keyword(df.final, 'USER').map((u) => u.getArgumentsContent());
    expect(users.at(-1)).toBe('node');
    for (const u of users) expect(u).not.toMatch(/^(root|0)(:|$)/);
  });

  it('has a HEALTHCHECK in exec form that needs no curl', () => {
    const hc = df.keyword(df.final, 'HEALTHCHECK');
    expect(hc).toHaveLength(1);
    expect(hc[0].getArgumentsContent()).toMatch(/CMD \["node", "-e", "fetch\(/);
  });

  it('carries OCI labels: source, and version from a build ARG', () => {
    const labels = df.properties('LABEL');
    expect(labels['org.opencontainers.image.source']).toBeTruthy();
    expect(labels['org.opencontainers.image.version']).toBe('${OBS_VERSION}');
    expect(labels['org.opencontainers.image.title']).toBe(`observastack-${name}`);
    expect(df.keyword(df.final, 'ARG').map((a) => a.getArgumentsContent())).toContainEqual(
      expect.stringMatching(/^OBS_VERSION=/),
    );
  });

  it('states its expected image size and why', () => {
    expect(df.text).toMatch(/^# Expected size: about \d+ MB/m);
  });

  it('starts node on a file of its own workspace, through the secrets entrypoint', () => {
    const cmd = JSON.parse(df.keyword(df.final, 'CMD')[0].getArgumentsContent() ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)!.startsWith(`${workspace}/src/`)).toBe(true);
    // The node flags are the embedded launcher's (the shop services) and `npm start`'s (the orchestrator), with
    // paths inside the image.
    const inImage = (args: string[]) => args.map((a) => (a.startsWith(repoRoot) ? `/app/${relative(repoRoot, a)}` : a));
    if (workspace.startsWith('sut/'))
      expect(cmd.slice(1, -1)).toEqual(inImage(serviceArgs(name as SutServiceName).slice(0, -1)));
    else expect(cmd.slice(1, -1)).toEqual(inImage(orchestratorNodeFlags));
    expect(existsSync(join(repoRoot, workspace, 'package.json'))).toBe(true);
    expect(df.keyword(df.final, 'ENTRYPOINT')[0].getArgumentsContent()).toBe('["/usr/local/bin/with-secrets"]');
  });

  it("caps glibc's malloc arenas as the embedded launcher does (MALLOC_ARENA_MAX=2)", () => {
    const env = df.properties('ENV');
    expect(env.MALLOC_ARENA_MAX).toBe('2');
    if (workspace.startsWith('sut/')) expect(serviceEnv('api', launcherOptions).MALLOC_ARENA_MAX).toBe('2');
  });

  it('copies only sources that exist in the build context', () => {
    for (const c of df.instructions.filter((i) => i.getKeyword() === 'COPY')) {
      const args = (c.getArgumentsContent() ?? '').split(/\s+/);
      if (/--from=/.test(c.getTextContent())) continue;
      for (const src of args.slice(0, -1).filter((a) => !a.startsWith('--'))) {
        expect(existsSync(join(repoRoot, src)), `${file}: COPY ${src}`).toBe(true);
      }
    }
  });
});

describe('the build context', () => {
  const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  it('leaves out node_modules, git, local data and the generated secrets, keeps the entrypoint', () => {
    expect(ignore).toEqual(
      expect.arrayContaining(['**/node_modules', '.git', '.observastack', 'stack/*', '!stack/docker']),
    );
  });

  it('every Dockerfile uses the same Node image', () => {
    const tags = new Set(
      Object.values(images).flatMap(({ file }) =>
        load(file).froms.map((f) => `${f.getImageName()}:${f.getImageTag()}`),
      ),
    );
    expect(tags.size).toBe(1);
  });

  it('the linter really lints (a broken Dockerfile has diagnostics)', () => {
    expect(validate('FROM node:22.23.3-bookworm-slim\nUSERR node\nHEALTHCHECK CMD\n').length).toBeGreaterThanOrEqual(2);
  });
});
