import { z } from 'zod';
import { parseEnv, portFrom } from '@observastack/sut-common/config/env.ts';
import { cidrProblem } from './access/forwarded.ts';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const httpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/' && !u.search && !u.username;
  } catch {
    return false;
  }
};

/** The orchestrator's environment, parsed once at start (see docs/ports.md for every variable). */
export const orchestratorEnvSchema = z.object({
  OBS_MODE: z
    .enum(['embedded', 'stack'])
    .default('embedded')
    .describe('embedded: start PostgreSQL and the SUT here; stack: use the URLs below.'),
  OBS_HOST: z.string().default('127.0.0.1').describe('Interface to bind.'),
  OBS_PORT: portFrom(4000).describe('Site, /api, /ws, OTLP /v1/traces.'),
  OBS_DATA_DIR: z.string().default('.observastack').describe('PostgreSQL data, generated secrets.'),
  OBS_PG_PORT: portFrom(5433).describe('Embedded PostgreSQL.'),
  DATABASE_URL: z.string().optional().describe('Use this PostgreSQL instead of the embedded one.'),
  OBS_GATEWAY_PORT: portFrom(8080),
  OBS_GATEWAY_ADMIN_PORT: portFrom(8090),
  OBS_API_PORT: portFrom(8081),
  OBS_API_ADMIN_PORT: portFrom(8091).describe("The api's admin port (its admin thread)."),
  OBS_INVENTORY_PORT: portFrom(8082),
  OBS_INVENTORY_ADMIN_PORT: portFrom(8092).describe("The inventory's admin port (its admin thread)."),
  OBS_GATEWAY_URL: z.url().optional().describe('stack mode: the user gateway.'),
  OBS_GATEWAY_ADMIN_URL: z.url().optional().describe('stack mode: the gateway admin listener.'),
  OBS_API_URL: z.url().optional().describe('stack mode: the api service.'),
  OBS_INVENTORY_URL: z.url().optional().describe('stack mode: the inventory service.'),
  OBS_API_ADMIN_URL: z
    .url()
    .optional()
    .describe(
      "stack mode: the api's admin thread (/config, /metrics, reset), which answers while its main thread is busy; default OBS_API_URL.",
    ),
  OBS_INVENTORY_ADMIN_URL: z
    .url()
    .optional()
    .describe("stack mode: the inventory's admin thread; default OBS_INVENTORY_URL."),
  OBS_JWT_SECRET_FILE: z.string().optional().describe('HS256 secret file (default <data dir>/secrets/jwt-secret).'),
  OBS_TRUSTED_PEERS: z
    .enum(['loopback', 'private'])
    .default('loopback')
    .describe(
      "Peers given a session token and allowed to send OTLP: loopback (this machine), or private (also private networks: a container network whose port is published on the host's 127.0.0.1).",
    ),
  OBS_CORS_ORIGINS: csv.describe(
    'Extra origins (comma-separated) allowed to use the API, e.g. a separately hosted site.',
  ),
  OBS_PUBLIC_URL: csv
    .refine((l) => l.every(httpUrl), {
      message: 'each entry must be an http(s) URL without a path, e.g. https://learner-1.workshop.example',
    })
    .describe(
      'Public URL(s) of the site (comma-separated) when a proxy or tunnel serves it: their Host and Origin are accepted, and a session through them needs the learner key. Gitpod and Codespaces are detected.',
    ),
  OBS_TRUSTED_PROXIES: csv
    .superRefine((l, ctx) =>
      l.forEach((e) => {
        const p = cidrProblem(e);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      }),
    )
    .describe(
      'Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For/-Proto/-Host are honoured; none by default.',
    ),
  OBS_LEARNER_KEY: z
    .string()
    .min(16, 'at least 16 characters')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .describe('The key a browser needs for a session through a public URL (default: OBS_LEARNER_KEY_FILE).'),
  OBS_LEARNER_KEY_FILE: z
    .string()
    .optional()
    .describe('File holding the learner key (default <data dir>/secrets/learner-key, generated on first start).'),
  OBS_ALERTMANAGER_TOKEN_FILE: z
    .string()
    .optional()
    .describe(
      'stack mode: file holding the bearer token Alertmanager sends with its notifications (POST /v1/alertmanager); unset: the webhook is off.',
    ),
  GITPOD_WORKSPACE_URL: z
    .url()
    .optional()
    .describe('Set by Gitpod: the site is then public at https://<OBS_PORT>-<workspace host>.'),
  CODESPACE_NAME: z
    .string()
    .regex(/^[a-z0-9-]+$/i)
    .optional()
    .describe('Set by Codespaces, with GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN.'),
  GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i)
    .optional()
    .describe('Set by Codespaces: the site is public at https://<name>-<OBS_PORT>.<domain>.'),
  OBS_SITE_DIR: z.string().default('dist/site').describe('The built lesson site served at /.'),
  OBS_SCENARIO_PACKS: csv.describe(
    'Scenario packs to load (comma-separated): folder paths or installed npm package names. See docs/scenario-packs.md.',
  ),
  OBS_SCENARIOS_DIR: z.string().default('scenarios').describe('Folder of scenario YAML files.'),
  OBS_GRAFANA_URL: z.url().optional().describe("Grafana as the learner's browser reaches it (stack mode)."),
  OBS_PROMETHEUS_URL: z
    .url()
    .optional()
    .describe(
      'stack mode: panels and PromQL queries (/api/telemetry/metrics) read from this Prometheus instead of the embedded hub.',
    ),
  OBS_TRACE_SAMPLE_RATIO: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('Share of shop requests traced (0..1). A request arriving with a sampled traceparent is always traced.'),
  OBS_CALIBRATION: z
    .union([z.enum(['auto', 'off']), z.coerce.number().int().min(1).max(100_000)])
    .default('auto')
    .describe(
      'auto: measure what this machine can serve (first start, then weekly; `npm run calibrate`) and scale load faults to it; off: the scenario YAML rates as they are; a number: this capacity in req/s, unmeasured.',
    ),
  OBS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type OrchestratorEnv = z.infer<typeof orchestratorEnvSchema>;

export const loadOrchestratorEnv = (env: NodeJS.ProcessEnv = process.env): OrchestratorEnv =>
  parseEnv(orchestratorEnvSchema, env);
