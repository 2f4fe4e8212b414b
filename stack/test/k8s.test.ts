import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { stackDir } from './compose-model.ts';
import { peerTool } from '../../test-support/peer-tool.ts';
import { anyHostPaths } from '../../orchestrator/src/api/origin-guard.ts';

type Obj = Record<string, any>;
const kubectl = peerTool({
  candidates: ['/usr/bin/kubectl', 'kubectl'],
  versionArgs: ['version', '--client'],
  source: 'Debian package kubernetes-client',
});
const k8sDir = join(stackDir, 'k8s');
const secrets = mkdtempSync(join(tmpdir(), 'observastack-k8s-secrets-'));
afterAll(() => rmSync(secrets, { recursive: true, force: true }));

const docs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
// The learner overlay takes Grafana's files from stack/grafana, outside its directory (as render-learners.sh).
const kustomize = (dir: string) =>
  docs(
    execFileSync(kubectl as string, ['kustomize', '--load-restrictor=LoadRestrictionsNone', join(k8sDir, dir)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
// Each learner carries the generated Grafana dashboards in a ConfigMap: nine of them are well over Node's 1 MB
// default output buffer.
const renderScript = (args: string[], env: Record<string, string> = {}) =>
  execFileSync('sh', [join(k8sDir, 'render-learners.sh'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${join(kubectl ?? '/usr/bin/kubectl', '..')}:${process.env.PATH}`,
      OBS_K8S_SECRETS_DIR: secrets,
      ...env,
    },
  });
const renderLearners = (n: number, env: Record<string, string> = {}) =>
  docs(renderScript([String(n), 'workshop.test'], env));

function podSpecs(objs: Obj[]): [string, Obj][] {
  return objs.filter((o) => o.spec?.template?.spec).map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template.spec]);
}

/** The shop and the platform (5 workloads), plus the learner's Prometheus and Grafana in the overlay. */
function checkWorkloads(objs: Obj[], count = 7) {
  const specs = podSpecs(objs);
  expect(specs.length).toBe(count);
  for (const [name, spec] of specs) {
    expect(spec.securityContext?.runAsNonRoot, name).toBe(true);
    expect(spec.securityContext?.runAsUser, name).toBeGreaterThan(0);
    expect(spec.hostNetwork ?? false, name).toBe(false);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const where = `${name}/${c.name}`;
      expect(c.resources?.limits?.cpu, where).toBeTruthy();
      expect(c.resources?.limits?.memory, where).toBeTruthy();
      expect(c.resources?.requests?.cpu, where).toBeTruthy();
      expect(c.resources?.requests?.memory, where).toBeTruthy();
      expect(c.securityContext?.privileged ?? false, where).toBe(false);
      expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
      expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
      expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
      expect(c.securityContext?.runAsUser ?? spec.securityContext.runAsUser, where).not.toBe(0);
      expect(c.image, where).toMatch(/^docker\.io\/[a-z]+\/[a-z-]+:v?[0-9][\w.-]*$/);
    }
  }
}

/**
 * Every object against the Kubernetes API's own JSON schema (the `kubernetes-models` package, generated from the
 * API's OpenAPI definitions): a misspelt field, a wrong type or a missing required field fails here, offline.
 * Returns the problems, one line per object.
 */
async function schemaProblems(objs: Obj[]): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objs) {
    const where = `${o.kind}/${o.metadata?.name}`;
    let Model: (new (data: Obj) => { validate(): void }) | undefined;
    try {
      const spec = `kubernetes-models/${o.apiVersion}/${o.kind}`;
      Model = (await import(/* @vite-ignore */ spec))[o.kind];
    } catch {
      problems.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model!(o).validate();
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}

if (!kubectl) console.warn('kubectl not found: the kustomize render checks are skipped');
describe.skipIf(!kubectl)('Kubernetes manifests', () => {
  it('the base renders offline and every container is limited, non-root, unprivileged', () => {
    const base = kustomize('base');
    expect(base.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/observastack-env',
      'Deployment/api',
      'Deployment/gateway',
      'Deployment/inventory',
      'Deployment/orchestrator',
      'Service/api',
      'Service/gateway',
      'Service/inventory',
      'Service/orchestrator',
      'Service/postgres',
      'StatefulSet/postgres',
    ]);
    checkWorkloads(base, 5);
    expect(base.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('the learner overlay renders one isolated namespace with quota, limits, default-deny and an ingress', () => {
    const objs = kustomize('overlays/learner');
    checkWorkloads(objs);
    const kinds = objs.map((o) => o.kind);
    for (const k of ['Namespace', 'ResourceQuota', 'LimitRange', 'Ingress']) expect(kinds, k).toContain(k);
    const ns = objs.find((o) => o.kind === 'Namespace')?.metadata.name;
    for (const o of objs.filter((x) => x.kind !== 'Namespace'))
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ns);
    const deny = objs.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('the check really checks (a privileged container is caught)', () => {
    const objs = kustomize('base');
    podSpecs(objs)[0][1].containers[0].securityContext.privileged = true;
    expect(() => checkWorkloads(objs, 5)).toThrow();
  });

  it('render-learners.sh 3 gives three isolated namespaces, each with its own secret and host', () => {
    const objs = renderLearners(3);
    const namespaces = objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(namespaces).toEqual(['learner-1', 'learner-2', 'learner-3']);
    for (const ns of namespaces) {
      const mine = objs.filter((o) => o.metadata.namespace === ns);
      expect(mine.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toContain('default-deny');
      const same = mine.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-same-namespace');
      // Peers are selected by podSelector alone: this namespace only, never another learner's.
      expect(same?.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
      expect(same?.spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
      expect(mine.find((o) => o.kind === 'Ingress')?.spec.rules.map((r: Obj) => r.host)).toEqual([
        `${ns}.workshop.test`,
        `shop.${ns}.workshop.test`,
        `grafana.${ns}.workshop.test`,
      ]);
      expect(mine.find((o) => o.kind === 'Secret')?.stringData['postgres-password']).toMatch(/^[0-9a-f]{48}$/);
      checkWorkloads(mine);
      // Issue 16's access model: the public URL is the Ingress host over TLS, the learner key is the Secret's,
      // and the probes use a path that answers the pod IP as Host.
      const ingress = mine.find((o) => o.kind === 'Ingress');
      expect(ingress?.spec.tls[0].hosts).toEqual([
        `${ns}.workshop.test`,
        `shop.${ns}.workshop.test`,
        `grafana.${ns}.workshop.test`,
      ]);
      const env = mine.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'observastack-env')?.data;
      expect(env.OBS_PUBLIC_URL).toBe(`https://${ns}.workshop.test`);
      expect(env.OBS_LEARNER_KEY_FILE).toBe('/run/secrets/learner_key');
      expect(mine.find((o) => o.kind === 'Secret')?.stringData['learner-key']).toMatch(/^[0-9a-f]{64}$/);
      const orch = mine.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orchestrator')?.spec.template.spec;
      const c = orch.containers[0];
      for (const probe of [c.readinessProbe, c.livenessProbe])
        expect(anyHostPaths.has(probe.httpGet.path.replace(/^\/api/, ''))).toBe(true);
      expect(orch.volumes.find((v: Obj) => v.name === 'secrets').secret.items).toContainEqual({
        key: 'learner-key',
        path: 'learner_key',
      });
    }
    const passwords = new Set(objs.filter((o) => o.kind === 'Secret').map((o) => o.stringData['postgres-password']));
    expect(passwords.size).toBe(3);
    // The roster: one line per learner, the URL to open with that learner's key, and the learner's Grafana.
    const keys = objs.filter((o) => o.kind === 'Secret').map((o) => o.stringData['learner-key']);
    expect(readFileSync(join(secrets, 'roster.tsv'), 'utf8').trim().split('\n')).toEqual([
      'learner\turl\tgrafana',
      ...namespaces.map(
        (ns, i) => `${ns}\thttps://${ns}.workshop.test/?key=${keys[i]}\thttps://grafana.${ns}.workshop.test/`,
      ),
    ]);
    // Re-rendering keeps each learner's secrets (their databases already use them).
    const again = renderLearners(3)
      .filter((o) => o.kind === 'Secret')
      .map((o) => o.stringData['postgres-password']);
    expect(new Set(again)).toEqual(passwords);
  });

  it('every rendered object validates against the Kubernetes API schema (base, overlay, three learners)', async () => {
    const all = [...kustomize('base'), ...kustomize('overlays/learner'), ...renderLearners(3)];
    expect(all.length).toBeGreaterThan(40);
    expect(await schemaProblems(all)).toEqual([]);
  });

  it('the schema check really checks (a misspelt field and a wrong type are caught)', async () => {
    const [deployment] = kustomize('base').filter((o) => o.kind === 'Deployment');
    const service = kustomize('base').find((o) => o.kind === 'Service')!;
    deployment.spec.replicas = 'one';
    service.spec.ports[0].port = '80/tcp';
    const problems = await schemaProblems([deployment, service, { apiVersion: 'v1', kind: 'Podd', metadata: {} }]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^Deployment\/\w+: .*replicas/);
    expect(problems[1]).toMatch(/^Service\/\w+: .*port/);
    expect(problems[2]).toBe('Podd/undefined: no schema for v1 Podd');
  });

  it('each learner has its own Prometheus scraping the shop jobs of the compose file, and its own Grafana', () => {
    const compose = parse(readFileSync(join(stackDir, 'prometheus/prometheus.yml'), 'utf8')) as Obj;
    const shopJobs = ['gateway', 'api', 'inventory', 'loadgen'];
    const jobsOf = (config: Obj) =>
      Object.fromEntries(
        config.scrape_configs
          .filter((j: Obj) => shopJobs.includes(j.job_name))
          .map((j: Obj) => [j.job_name, [j.metrics_path, j.scrape_interval, j.static_configs]]),
      );
    for (const ns of ['learner-1', 'learner-2']) {
      const mine = renderLearners(2).filter((o) => o.metadata.namespace === ns);
      const config = parse(mine.find((o) => o.metadata.name === 'prometheus-config')?.data['prometheus.yml']) as Obj;
      expect(Object.keys(jobsOf(config)).sort()).toEqual([...shopJobs].sort());
      expect(jobsOf(config)).toEqual(jobsOf(compose));
      const grafana = mine.find((o) => o.kind === 'Deployment' && o.metadata.name === 'grafana')?.spec.template.spec;
      const volumes = Object.fromEntries(grafana.volumes.map((v: Obj) => [v.name, v]));
      const dashboards = mine.find((o) => o.metadata.name === volumes.dashboards.configMap.name);
      expect(Object.keys(dashboards?.data ?? {}).sort()).toEqual(
        readdirSync(join(stackDir, 'grafana/dashboards')).sort(),
      );
      const datasources = parse(mine.find((o) => o.metadata.name === 'grafana-datasources')?.data['datasources.yaml']);
      expect(datasources.datasources).toMatchObject([{ uid: 'prometheus', url: 'http://prometheus:9090' }]);
      // Published through the ingress; Prometheus is not.
      const allowed = mine.find((o) => o.metadata.name === 'allow-ingress-controller')?.spec;
      expect(allowed.podSelector.matchExpressions[0].values).toEqual(['orchestrator', 'gateway', 'grafana']);
    }
  });

  it('first boots seed in waves: learners 1-4 at once, 5-8 after one step, ...', () => {
    const delays = (env: Record<string, string>) =>
      renderLearners(9, env)
        .filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'observastack-env')
        .map((o) => o.data.OBS_SEED_DELAY_SECONDS);
    expect(delays({})).toEqual(['0', '0', '0', '0', '30', '30', '30', '30', '60']);
    expect(delays({ OBS_K8S_SEED_WAVE: '2', OBS_K8S_SEED_STEP_SECONDS: '10' })).toEqual([
      '0',
      '0',
      '10',
      '10',
      '20',
      '20',
      '30',
      '30',
      '40',
    ]);
    // The inventory's migrate init container (the seed) reads it from that ConfigMap.
    const inventory = renderLearners(1).find((o) => o.kind === 'Deployment' && o.metadata.name === 'inventory');
    expect(inventory?.spec.template.spec.initContainers[0].envFrom).toEqual([
      { configMapRef: { name: 'observastack-env' } },
    ]);
  });

  it('reset and teardown act on one learner only (shown with OBS_K8S_DRY_RUN, no cluster here)', () => {
    renderLearners(3);
    const run = (args: string[]) => {
      const r = spawnSync('sh', [join(k8sDir, 'render-learners.sh'), ...args], {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${join(kubectl ?? '/usr/bin/kubectl', '..')}:${process.env.PATH}`,
          OBS_K8S_SECRETS_DIR: secrets,
          OBS_K8S_DRY_RUN: '1',
        },
      });
      return { status: r.status, err: r.stderr };
    };
    const key2 = readFileSync(join(secrets, 'learner-2/learner-key'), 'utf8');
    const reset = run(['reset', '2', 'workshop.test']);
    expect(reset.status).toBe(0);
    expect(reset.err).toContain('kubectl delete namespace learner-2 --ignore-not-found --wait=true');
    expect(reset.err).toContain('kubectl apply -f -');
    expect(reset.err).toContain(`learner-2 reset: https://learner-2.workshop.test/?key=${key2}`);
    expect(readFileSync(join(secrets, 'learner-2/learner-key'), 'utf8')).toBe(key2);

    const down = run(['teardown', '2']);
    expect(down.status).toBe(0);
    expect(down.err).toContain('kubectl delete namespace learner-2 --ignore-not-found --wait=true');
    expect(existsSync(join(secrets, 'learner-2'))).toBe(false);
    expect(existsSync(join(secrets, 'learner-1'))).toBe(true);
    const roster = readFileSync(join(secrets, 'roster.tsv'), 'utf8');
    expect(roster.split('\n').map((l) => l.split('\t')[0])).toEqual(['learner', 'learner-1', 'learner-3', '']);

    expect(run(['reset', '2']).status).toBe(1); // torn down: nothing to reset
    expect(run(['reset', 'two']).status).toBe(2);
    expect(run(['teardown']).status).toBe(2);
  });

  it('render-learners.sh refuses a bad count', () => {
    expect(() => execFileSync('sh', [join(k8sDir, 'render-learners.sh'), 'three'], { stdio: 'pipe' })).toThrow();
  });
});

describe('Kubernetes image versions', () => {
  it('match stack/.env (one version for compose and Kubernetes)', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const { stackEnv } = await import('./compose-model.ts');
    const env = stackEnv();
    const k = parse(readFileSync(join(k8sDir, 'base/kustomization.yaml'), 'utf8')) as {
      images: { name: string; newTag: string }[];
    };
    for (const c of ['gateway', 'api', 'inventory', 'orchestrator']) {
      expect(k.images.find((i) => i.name === `${env.OBS_IMAGE_PREFIX}/${c}`)?.newTag, c).toBe(env.OBS_VERSION);
    }
    const pg = k.images.find((i) => i.name === 'docker.io/library/postgres');
    expect(`${pg?.name}:${pg?.newTag}`).toBe(env.POSTGRES_IMAGE);
    const learner = parse(readFileSync(join(k8sDir, 'overlays/learner/kustomization.yaml'), 'utf8')) as typeof k;
    expect(learner.images.map((i) => `${i.name}:${i.newTag}`)).toEqual([env.PROMETHEUS_IMAGE, env.GRAFANA_IMAGE]);
  });
});
