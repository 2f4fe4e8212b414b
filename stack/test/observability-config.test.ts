import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findPromtool } from '../../test-support/peer-tool.ts';
import { loadStack, stackDir } from './compose-model.ts';

type Obj = Record<string, any>;
const yamlOf = (rel: string) => parse(readFileSync(join(stackDir, rel), 'utf8')) as Obj;
const stack = loadStack();
const promtool = findPromtool();

describe('prometheus.yml', () => {
  it.skipIf(!promtool)('passes `promtool check config`', () => {
    const out = execFileSync(promtool as string, ['check', 'config', join(stackDir, 'prometheus/prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/SUCCESS/);
  });

  it.skipIf(!promtool)('promtool really checks (a broken copy fails)', () => {
    const broken = spawnSync(promtool as string, ['check', 'config', '/dev/stdin'], {
      input: readFileSync(join(stackDir, 'prometheus/prometheus.yml'), 'utf8').replace(
        'scrape_interval: 1s',
        'scrape_interval: soon',
      ),
    });
    expect(broken.status).not.toBe(0);
  });

  const jobs = yamlOf('prometheus/prometheus.yml').scrape_configs as Obj[];
  const target = (job: string) => jobs.find((j) => j.job_name === job);

  it('scrapes every SUT admin port and the load generator every second', () => {
    const expected: Record<string, [string, string]> = {
      gateway: ['gateway:8090', '/metrics'],
      api: ['api:8091', '/metrics'],
      inventory: ['inventory:8092', '/metrics'],
      loadgen: ['orchestrator:4000', '/api/telemetry/loadgen/metrics'],
    };
    for (const [job, [addr, path]] of Object.entries(expected)) {
      expect(target(job)?.static_configs[0].targets, job).toEqual([addr]);
      expect(target(job)?.metrics_path, job).toBe(path);
      expect(target(job)?.scrape_interval, job).toBe('1s');
    }
    expect(target('postgres')?.static_configs[0].targets).toEqual(['postgres-exporter:9187']);
  });

  it('every scrape target is a compose service that shares a network with prometheus', () => {
    for (const job of jobs) {
      for (const t of job.static_configs.flatMap((s: Obj) => s.targets) as string[]) {
        const host = t.split(':')[0];
        if (host === '127.0.0.1') continue;
        const svc = stack.services[host];
        expect(svc, `${job.job_name} -> ${host}`).toBeDefined();
        expect(svc.networks, `${job.job_name} -> ${host}`).toContain('observability');
      }
    }
  });
});

describe('grafana', () => {
  const ds = yamlOf('grafana/provisioning/datasources/datasources.yaml').datasources as Obj[];
  const ini = readFileSync(join(stackDir, 'grafana/grafana.ini'), 'utf8');
  const iniValue = (section: string, key: string) => {
    const body = ini.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
    return new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(body)?.[1].trim();
  };

  it('datasources have the fixed uids the dashboards use', () => {
    expect(Object.fromEntries(ds.map((d) => [d.uid, d.type]))).toEqual({
      prometheus: 'prometheus',
      loki: 'loki',
      tempo: 'tempo',
    });
    for (const d of ds) expect(stack.services[new URL(d.url).hostname], d.url).toBeDefined();
  });

  it('logs link to traces, traces link to logs, exemplars link to traces', () => {
    const loki = ds.find((d) => d.uid === 'loki') as Obj;
    const tempo = ds.find((d) => d.uid === 'tempo') as Obj;
    const prom = ds.find((d) => d.uid === 'prometheus') as Obj;
    expect(loki.jsonData.derivedFields).toEqual([
      expect.objectContaining({ matcherRegex: 'trace_id', datasourceUid: 'tempo' }),
    ]);
    expect(tempo.jsonData.tracesToLogsV2).toEqual(
      expect.objectContaining({ datasourceUid: 'loki', filterByTraceID: true }),
    );
    expect(prom.jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'tempo' }]);
    const prometheus = stack.services.prometheus as Obj;
    expect(prometheus.command).toContain('--enable-feature=exemplar-storage');
  });

  it('dashboards are provisioned from the folder compose mounts from stack/grafana/dashboards', () => {
    const provider = yamlOf('grafana/provisioning/dashboards/dashboards.yaml').providers[0] as Obj;
    expect(provider.options.path).toBe('/var/lib/grafana/dashboards');
    expect(stack.services.grafana.volumes).toContain('./grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });

  it('anonymous users are Viewers, embedding is allowed, and no password is set in a file', () => {
    expect(iniValue('auth.anonymous', 'enabled')).toBe('true');
    expect(iniValue('auth.anonymous', 'org_role')).toBe('Viewer');
    expect(iniValue('security', 'allow_embedding')).toBe('true');
    expect(iniValue('security', 'admin_password')).toBeUndefined();
    expect(stack.services.grafana.environment?.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe(
      '/run/secrets/grafana_admin_password',
    );
  });
});

describe('loki, tempo and the collector', () => {
  it('loki: required sections, OTLP structured metadata, service and level as labels', () => {
    const loki = yamlOf('loki/config.yaml');
    for (const key of ['auth_enabled', 'server', 'common', 'schema_config', 'limits_config'])
      expect(loki, key).toHaveProperty(key);
    expect(loki.server.http_listen_port).toBe(3100);
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
    expect(loki.limits_config.otlp_config.resource_attributes.attributes_config[0].attributes).toEqual([
      'service',
      'level',
    ]);
  });

  it('tempo: required sections, OTLP receivers on all interfaces', () => {
    const tempo = yamlOf('tempo/config.yaml');
    for (const key of ['server', 'distributor', 'storage']) expect(tempo, key).toHaveProperty(key);
    expect(tempo.server.http_listen_port).toBe(3200);
    expect(tempo.distributor.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
  });

  it('collector: every pipeline component is defined; traces go to Tempo, logs to Loki over OTLP', () => {
    const col = yamlOf('otel-collector/config.yaml');
    for (const key of ['receivers', 'processors', 'exporters', 'service']) expect(col, key).toHaveProperty(key);
    for (const [name, p] of Object.entries(col.service.pipelines as Record<string, Obj>)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const c of p[kind] ?? []) expect(col[kind], `${name}.${kind}.${c}`).toHaveProperty([c]);
      }
    }
    expect(col.exporters['otlp/tempo'].endpoint).toBe('tempo:4317');
    expect(col.exporters['otlphttp/loki'].endpoint).toBe('http://loki:3100/otlp');
    expect(col.service.pipelines.logs.receivers).toContain('fluentforward');
    expect(col.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('the collector exposes its own metrics where Prometheus scrapes them', () => {
    const col = yamlOf('otel-collector/config.yaml');
    const reader = col.service.telemetry.metrics.readers[0].pull.exporter.prometheus;
    expect(`${reader.host}:${reader.port}`).toBe('0.0.0.0:8888');
    expect(existsSync(join(stackDir, 'prometheus/prometheus.yml'))).toBe(true);
    expect(readFileSync(join(stackDir, 'prometheus/prometheus.yml'), 'utf8')).toContain('otel-collector:8888');
  });
});
