// One Kubernetes learner's set of containers, run under the local Docker engine with the environment, command,
// user, read-only root, dropped capabilities and volumes its rendered manifests give each container — the
// closest this machine comes to a cluster. Part of `npm run test:stack` (run-stack-test.sh), which has built the
// images. Checks: the init containers (migrations, staggered seed) finish, every workload stays up, the
// orchestrator reports stack mode with every service running, and the learner's Prometheus scrapes all its
// targets. Grafana is rendered but not run: its image cannot be pulled here.
//
//   node stack/test/k8s-learner-under-docker.ts     (env: OBS_IMAGE_PREFIX, OBS_VERSION, POSTGRES_IMAGE,
//                                                    OBS_TEST_PROMETHEUS_IMAGE, as run-stack-test.sh sets them)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../sut/common/src/launcher/free-port.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read field by field.
type Obj = Record<string, any>;
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const t0 = Date.now();
const log = (msg: string) => console.log(`[k8s learner ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${msg}`);
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

const prefix = process.env.OBS_IMAGE_PREFIX ?? 'localhost/observastack';
const version = process.env.OBS_VERSION ?? 'test';
/** Upstream images this machine cannot pull, and the stand-ins test:stack built for them. */
const standIns: Record<string, string | undefined> = {
  'docker.io/library/postgres': process.env.POSTGRES_IMAGE,
  'docker.io/prom/prometheus': process.env.OBS_TEST_PROMETHEUS_IMAGE,
};
/** Not run: no image and no stand-in (its manifest is validated by stack/test/k8s.test.ts). */
const notRun = new Set(['grafana']);

function localImage(image: string): { image: string; standIn: boolean } {
  const [name] = image.split(/:(?=[^/]+$)/);
  const own = name.match(/^docker\.io\/observastack\/(.+)$/);
  if (own) return { image: `${prefix}/${own[1]}:${version}`, standIn: false };
  const standIn = standIns[name];
  if (!standIn) throw new Error(`no local image for ${image}`);
  return { image: standIn, standIn: true };
}

const imageUsers = new Map<string, number>();
/** The numeric user an image runs as (a stand-in's USER is a name). */
function imageUser(image: string): number {
  if (!imageUsers.has(image)) imageUsers.set(image, Number(docker('run', '--rm', '--entrypoint', 'id', image, '-u')));
  return imageUsers.get(image)!;
}

const work = mkdtempSync(join(tmpdir(), 'obs-k8s-learner-'));
const ns = 'learner-1';
const network = `obs-k8s-${ns}-${process.pid}`;
const containers: string[] = [];
const volumes: string[] = [];

function render(): Obj[] {
  const text = execFileSync('sh', [join(root, 'stack/k8s/render-learners.sh'), '1', 'workshop.test'], {
    encoding: 'utf8',
    env: { ...process.env, OBS_K8S_SECRETS_DIR: join(work, 'secrets') },
  });
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}

/** `docker run` arguments for one container of a pod, as its manifest gives it. */
function runArgs(objs: Obj[], workload: Obj, c: Obj, name: string): string[] {
  const pod = workload.spec.template.spec;
  const { image, standIn } = localImage(c.image);
  const configMap = (n: string) => objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === n);
  const secret = (n: string) => objs.find((o) => o.kind === 'Secret' && o.metadata.name === n);
  const args = ['--name', name, '--network', network, '--read-only', '--cap-drop', 'ALL'];
  args.push('--security-opt', 'no-new-privileges:true');
  // The manifests' users for the project's images; a stand-in keeps its own (it is not the upstream image).
  const uid = standIn ? imageUser(image) : (c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser ?? 0);
  const gid = standIn ? uid : (c.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup ?? uid);
  if (!standIn) args.push('--user', `${uid}:${gid}`);
  const limits = c.resources?.limits ?? {};
  if (limits.memory) args.push('--memory', String(limits.memory).replace(/Mi$/, 'm').replace(/Gi$/, 'g'));
  for (const from of c.envFrom ?? []) {
    for (const [k, v] of Object.entries(configMap(from.configMapRef.name)?.data ?? {})) args.push('-e', `${k}=${v}`);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom) throw new Error(`${name}: env ${e.name} uses valueFrom, not supported here`);
    args.push('-e', `${e.name}=${e.value}`);
  }
  for (const m of c.volumeMounts ?? []) {
    const v = pod.volumes?.find((x: Obj) => x.name === m.name);
    const claim = workload.spec.volumeClaimTemplates?.find((t: Obj) => t.metadata.name === m.name);
    if (claim) {
      const vol = `${network}-${workload.metadata.name}-${m.name}`;
      if (!volumes.includes(vol)) volumes.push(vol);
      args.push('--mount', `type=volume,source=${vol},destination=${m.mountPath}`);
    } else if (v?.emptyDir) {
      // Owned by the container's user, as an emptyDir is writable by the pod (fsGroup). (This engine ignores
      // tmpfs-mode: a tmpfs comes up 0755 root.)
      args.push('--tmpfs', `${m.mountPath}:uid=${uid},gid=${gid}`);
    } else if (v?.secret || v?.configMap) {
      const source = v.secret ? secret(v.secret.secretName)?.stringData : configMap(v.configMap.name)?.data;
      if (!source) throw new Error(`${name}: volume ${m.name} names nothing rendered`);
      const items: { key: string; path: string }[] =
        (v.secret ?? v.configMap).items ?? Object.keys(source).map((k) => ({ key: k, path: k }));
      const dir = join(work, 'volumes', name, m.name);
      mkdirSync(dir, { recursive: true });
      for (const it of items) writeFileSync(join(dir, it.path), source[it.key], { mode: 0o644 });
      const from = m.subPath ? join(dir, m.subPath) : dir;
      args.push('--mount', `type=bind,source=${from},destination=${m.mountPath},readonly`);
    } else {
      throw new Error(`${name}: volume ${m.name} of an unsupported kind`);
    }
  }
  // The Service in front of this workload: its DNS name is the container's alias on the network.
  for (const svc of objs.filter((o) => o.kind === 'Service')) {
    const sel = svc.spec.selector ?? {};
    const labels = workload.spec.template.metadata.labels ?? {};
    if (Object.entries(sel).every(([k, val]) => labels[k] === val)) args.push('--network-alias', svc.metadata.name);
  }
  const entry = c.command ? ['--entrypoint', c.command[0]] : [];
  return [...args, ...entry, image, ...(c.command?.slice(1) ?? []), ...(c.args ?? [])];
}

async function main(): Promise<void> {
  const objs = render();
  const workloads = objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  // Dependency order, as the probes would settle it on a cluster.
  const order = ['postgres', 'inventory', 'api', 'gateway', 'orchestrator', 'prometheus'];
  const skipped = workloads.map((w) => w.metadata.name).filter((n) => !order.includes(n));
  if (skipped.some((n) => !notRun.has(n))) throw new Error(`workloads this check does not know: ${skipped}`);
  docker('network', 'create', network);
  const orchestratorPort = await freePort();
  const prometheusPort = await freePort();
  for (const name of order) {
    const w = workloads.find((x) => x.metadata.name === name);
    if (!w) throw new Error(`workload ${name} not rendered`);
    for (const [i, c] of (w.spec.template.spec.initContainers ?? []).entries()) {
      // An init container that fails is restarted by the kubelet: here, up to 30 times 2 s apart.
      const cname = `${network}-${name}-init${i}`;
      for (let attempt = 1; ; attempt++) {
        const r = spawnSync('docker', ['run', '--rm', ...runArgs(objs, w, c, cname)], { encoding: 'utf8' });
        if (r.status === 0) {
          log(`${name}: init container ${c.name} done (${attempt} attempt${attempt > 1 ? 's' : ''})`);
          break;
        }
        if (attempt >= 30) throw new Error(`${name}: init container ${c.name} failed: ${r.stderr.slice(-500)}`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
    for (const c of w.spec.template.spec.containers) {
      const cname = `${network}-${name}`;
      const publish =
        name === 'orchestrator'
          ? ['-p', `127.0.0.1:${orchestratorPort}:4000`]
          : name === 'prometheus'
            ? ['-p', `127.0.0.1:${prometheusPort}:9090`]
            : [];
      const args = runArgs(objs, w, c, cname);
      docker('run', '-d', ...publish, ...args);
      containers.push(cname);
      log(`${name}: started (${localImage(c.image).image})`);
    }
  }
  const deadline = Date.now() + 180_000;
  let last = '';
  for (;;) {
    try {
      // (Not `ready`: the orchestrator measures what the learner's shop serves first, as on a cluster.)
      const health = (await (await fetch(`http://127.0.0.1:${orchestratorPort}/api/health`)).json()) as {
        mode: string;
        services: { name: string; state: string }[];
      };
      const targets = (
        (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: { labels: { job: string }; health: string }[] };
        }
      ).data.activeTargets;
      last = JSON.stringify({
        mode: health.mode,
        services: health.services.map((s) => `${s.name}:${s.state}`).sort(),
        targets: targets.map((t) => `${t.labels.job}:${t.health}`).sort(),
      });
      const want = JSON.stringify({
        mode: 'stack',
        services: ['api:running', 'gateway:running', 'inventory:running'],
        targets: ['api:up', 'gateway:up', 'inventory:up', 'loadgen:up', 'prometheus:up'],
      });
      if (last === want) break;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the learner's set did not come up within 180 s; last seen: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  for (const c of containers) {
    const state = docker('inspect', '-f', '{{.State.Status}} {{.RestartCount}}', c);
    if (state !== 'running 0') throw new Error(`${c}: ${state}`);
  }
  log(`up: ${last}`);
  log(`PASS: ${containers.length} containers of ${ns} under Docker, as its manifests give them (grafana not run)`);
}

try {
  await main();
} catch (err) {
  console.error(`[k8s learner] FAIL: ${(err as Error).message}`);
  for (const c of containers) {
    const logs = spawnSync('docker', ['logs', '--tail', '15', c], { encoding: 'utf8' });
    console.error(`--- ${c}\n${logs.stdout}${logs.stderr}`);
  }
  process.exitCode = 1;
} finally {
  for (const c of containers) spawnSync('docker', ['rm', '-f', c]);
  spawnSync('docker', ['network', 'rm', network]);
  for (const v of volumes) spawnSync('docker', ['volume', 'rm', '-f', v]);
  rmSync(work, { recursive: true, force: true });
}
