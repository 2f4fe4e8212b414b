// Prints the published stack/prometheus/prometheus.yml reduced to the core stack's targets (the test stand-in
// runs without the exporters, Loki, Tempo, Grafana and the collector). Usage: node core-config.ts FILE
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const core = new Set(['gateway', 'api', 'inventory', 'orchestrator']);
const config = parse(readFileSync(process.argv[2]!, 'utf8')) as {
  scrape_configs: { static_configs?: { targets: string[] }[] }[];
};
config.scrape_configs = config.scrape_configs.filter((job) =>
  (job.static_configs ?? []).every((sc) => sc.targets.every((t) => core.has(t.split(':')[0]!))),
);
delete (config as Record<string, unknown>).rule_files;
delete (config as Record<string, unknown>).alerting;
process.stdout.write(stringify(config));
