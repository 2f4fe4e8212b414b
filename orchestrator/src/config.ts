import { z } from 'zod';
import { parseEnv, portFrom } from '../../sut/common/src/config/env.ts';

const csv = z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** The orchestrator's environment, parsed once at start (see docs/ports.md for every variable). */
export const orchestratorEnvSchema = z.object({
  OBS_MODE: z.enum(['embedded', 'stack']).default('embedded').describe('embedded: start PostgreSQL and the SUT here; stack: use the URLs below.'),
  OBS_HOST: z.string().default('127.0.0.1').describe('Interface to bind.'),
  OBS_PORT: portFrom(4000).describe('Site, /api, /ws, OTLP /v1/traces.'),
  OBS_DATA_DIR: z.string().default('.observastack').describe('PostgreSQL data, generated secrets.'),
  OBS_PG_PORT: portFrom(5433).describe('Embedded PostgreSQL.'),
  DATABASE_URL: z.string().optional().describe('Use this PostgreSQL instead of the embedded one.'),
  OBS_GATEWAY_PORT: portFrom(8080),
  OBS_GATEWAY_ADMIN_PORT: portFrom(8090),
  OBS_API_PORT: portFrom(8081),
  OBS_API_ADMIN_PORT: portFrom(8091).describe('The api\'s admin port (its admin thread).'),
  OBS_INVENTORY_PORT: portFrom(8082),
  OBS_INVENTORY_ADMIN_PORT: portFrom(8092).describe('The inventory\'s admin port (its admin thread).'),
  OBS_GATEWAY_URL: z.url().optional().describe('stack mode: the user gateway.'),
  OBS_GATEWAY_ADMIN_URL: z.url().optional().describe('stack mode: the gateway admin listener.'),
  OBS_API_URL: z.url().optional().describe('stack mode: the api service.'),
  OBS_INVENTORY_URL: z.url().optional().describe('stack mode: the inventory service.'),
  OBS_JWT_SECRET_FILE: z.string().optional().describe('HS256 secret file (default <data dir>/secrets/jwt-secret).'),
  OBS_CORS_ORIGINS: csv.describe('Extra origins (comma-separated) allowed to use the API, e.g. a separately hosted site.'),
  OBS_SITE_DIR: z.string().default('dist/site').describe('The built lesson site served at /.'),
  OBS_SCENARIO_PACKS: csv.describe('Scenario packs to load (comma-separated): folder paths or installed npm package names. See docs/scenario-packs.md.'),
  OBS_SCENARIOS_DIR: z.string().default('scenarios').describe('Folder of scenario YAML files.'),
  OBS_GRAFANA_URL: z.url().optional().describe('Grafana as the learner\'s browser reaches it (stack mode).'),
  OBS_TRACE_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(0.2).describe('Share of shop requests traced (0..1). A request arriving with a sampled traceparent is always traced.'),
  OBS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type OrchestratorEnv = z.infer<typeof orchestratorEnvSchema>;

export const loadOrchestratorEnv = (env: NodeJS.ProcessEnv = process.env): OrchestratorEnv => parseEnv(orchestratorEnvSchema, env);
