import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
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
const kustomize = (dir: string) =>
  docs(execFileSync(kubectl as string, ['kustomize', join(k8sDir, dir)], { encoding: 'utf8' }));
const renderLearners = (n: number) =>
  docs(
    execFileSync('sh', [join(k8sDir, 'render-learners.sh'), String(n), 'workshop.test'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${join(kubectl ?? '/usr/bin/kubectl', '..')}:${process.env.PATH}`,
        OBS_K8S_SECRETS_DIR: secrets,
      },
    }),
  );

function podSpecs(objs: Obj[]): [string, Obj][] {
  return objs.filter((o) => o.spec?.template?.spec).map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template.spec]);
}

function checkWorkloads(objs: Obj[]) {
  const specs = podSpecs(objs);
  expect(specs.length).toBe(5);
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
      expect(c.image, where).toMatch(/^docker\.io\/[a-z]+\/[a-z-]+:[0-9][\w.-]*$/);
    }
  }
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
    checkWorkloads(base);
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
    expect(() => checkWorkloads(objs)).toThrow();
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
      ]);
      expect(mine.find((o) => o.kind === 'Secret')?.stringData['postgres-password']).toMatch(/^[0-9a-f]{48}$/);
      checkWorkloads(mine);
      // Issue 16's access model: the public URL is the Ingress host over TLS, the learner key is the Secret's,
      // and the probes use a path that answers the pod IP as Host.
      const ingress = mine.find((o) => o.kind === 'Ingress');
      expect(ingress?.spec.tls[0].hosts).toEqual([`${ns}.workshop.test`, `shop.${ns}.workshop.test`]);
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
    // The roster: one line per learner, the URL to open with that learner's key.
    const keys = objs.filter((o) => o.kind === 'Secret').map((o) => o.stringData['learner-key']);
    expect(readFileSync(join(secrets, 'roster.tsv'), 'utf8').trim().split('\n')).toEqual([
      'learner\turl',
      ...namespaces.map((ns, i) => `${ns}\thttps://${ns}.workshop.test/?key=${keys[i]}`),
    ]);
    // Re-rendering keeps each learner's secrets (their databases already use them).
    const again = renderLearners(3)
      .filter((o) => o.kind === 'Secret')
      .map((o) => o.stringData['postgres-password']);
    expect(new Set(again)).toEqual(passwords);
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
  });
});
