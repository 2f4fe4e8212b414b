import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './compose-model.ts';

type Obj = Record<string, any>;
const read = (rel: string) => readFileSync(join(repoRoot, rel), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

describe('Gitpod and dev containers', () => {
  it('.gitpod.yml installs, starts the platform and previews port 4000', () => {
    const gitpod = parse(read('.gitpod.yml')) as Obj;
    const task = gitpod.tasks[0];
    expect(task.init).toMatch(/nvm install 22/);
    expect(task.init).toMatch(/^npm install$/m);
    expect(task.command).toMatch(/^npm start$/m);
    expect(gitpod.ports.find((p: Obj) => p.port === 4000)?.onOpen).toBe('open-preview');
    expect(pkg.scripts.start).toMatch(/orchestrator\/src\/main\.ts/);
  });

  it('devcontainer.json uses Node 22, installs, starts and forwards 4000 as a preview', () => {
    const dc = JSON.parse(read('.devcontainer/devcontainer.json')) as Obj;
    expect(dc.image).toMatch(/javascript-node:[\w.-]*\b22\b/);
    expect(dc.postCreateCommand).toBe('npm install');
    expect(dc.postAttachCommand).toBe('npm start');
    expect(dc.forwardPorts).toEqual([4000]);
    expect(dc.portsAttributes['4000'].onAutoForward).toBe('openPreview');
  });

  it('the stack scripts wrap both compose files', () => {
    for (const s of ['stack:up', 'stack:down', 'stack:config']) {
      // compose.sh runs `docker compose` or, where only v1 exists, `docker-compose`.
      expect(pkg.scripts[s], s).toContain(
        'sh stack/scripts/compose.sh -f stack/compose.yaml -f stack/compose.observability.yaml',
      );
    }
    expect(pkg.scripts['stack:up']).toMatch(/^sh stack\/scripts\/init-secrets\.sh && /);
  });
});

describe('GitHub workflows', () => {
  const dir = join(repoRoot, '.github/workflows');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

  it.each(files)('%s parses and uses only secrets for credentials', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const wf = parse(text) as Obj;
    expect(wf.jobs).toBeTypeOf('object');
    expect(wf.permissions).toEqual({ contents: 'read' });
    const walk = (node: unknown, path: string): void => {
      if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
        return;
      }
      if (/(password|token|username|secret|key)$/i.test(path.split('.').at(-1) ?? '') && typeof node === 'string') {
        expect(node, path).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
      }
    };
    walk(wf, file);
    // Every third-party action is pinned to a major version at least.
    for (const m of text.matchAll(/uses:\s*(\S+)/g)) expect(m[1], file).toMatch(/@v\d+/);
  });

  it('test.yml runs npm ci and npm test on Node 22 with the Debian peers', () => {
    const wf = parse(read('.github/workflows/test.yml')) as Obj;
    expect(Object.keys(wf.on)).toContain('pull_request');
    const job = wf.jobs.test;
    expect(job.container).toMatch(/^node:22\.\d+\.\d+-bookworm$/);
    const runs = job.steps.map((s: Obj) => s.run ?? '').join('\n');
    for (const p of ['chromium', 'prometheus', 'wrk', 'hey'])
      expect(runs).toMatch(new RegExp(`apt-get install .*\\b${p}\\b`));
    expect(runs).toMatch(/^npm ci\b/m);
    expect(runs).toMatch(/^npm test$/m);
  });

  it('images.yml builds on pull requests (no push, then test:stack) and multi-arch on v* tags with the Docker Hub secrets', () => {
    const wf = parse(read('.github/workflows/images.yml')) as Obj;
    expect(wf.on.push.tags).toEqual(['v*']);
    expect(wf.on).toHaveProperty('pull_request');
    expect((wf.jobs['stack-test'].steps as Obj[]).map((s) => s.run)).toContain('npm run test:stack');
    const steps = wf.jobs.image.steps as Obj[];
    const uses = steps.map((s) => String(s.uses ?? '').split('@')[0]);
    expect(uses).toEqual(
      expect.arrayContaining([
        'docker/setup-qemu-action',
        'docker/setup-buildx-action',
        'docker/login-action',
        'docker/build-push-action',
      ]),
    );
    const login = steps.find((s) => String(s.uses).startsWith('docker/login-action')) as Obj;
    expect(login.with).toEqual({
      username: '${{ secrets.DOCKERHUB_USERNAME }}',
      password: '${{ secrets.DOCKERHUB_TOKEN }}',
    });
    const build = steps.find((s) => String(s.uses).startsWith('docker/build-push-action')) as Obj;
    expect(build.with.platforms).toContain('linux/amd64,linux/arm64');
    expect(build.with.push).toBe("${{ github.ref_type == 'tag' }}");
    // X.Y.Z always; X.Y and latest on a release tag only.
    expect(
      build.with.tags
        .trim()
        .split('\n')
        .map((l: string) => l.trim()),
    ).toEqual([
      'docker.io/observastack/${{ matrix.component }}:${{ steps.version.outputs.version }}',
      "${{ github.ref_type == 'tag' && format('docker.io/observastack/{0}:{1}', matrix.component, steps.version.outputs.minor) || '' }}",
      "${{ github.ref_type == 'tag' && format('docker.io/observastack/{0}:latest', matrix.component) || '' }}",
    ]);
  });
});
