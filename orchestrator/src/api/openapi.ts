import { z } from 'zod';
import {
  checkpointBodySchema,
  checkpointParamsSchema,
  configPatchBodySchema,
  listRunsQuerySchema,
  runIdParamsSchema,
  serviceParamsSchema,
  sessionBodySchema,
  sessionResponseSchema,
  startRunBodySchema,
} from '../protocol/rest.ts';
import { runViewSchema } from '../protocol/run.ts';
import { changesResponseSchema, listChangesQuerySchema } from '../protocol/changes.ts';
import {
  jobParamsSchema,
  jobsResponseSchema,
  jobViewSchema,
  releaseBodySchema,
  releasesResponseSchema,
  restartResponseSchema,
  rolloutResponseSchema,
} from '../protocol/actions.ts';
import { backendParamsSchema, dbActivityResponseSchema, terminateResponseSchema } from '../protocol/db-activity.ts';
import {
  exemplarQueryParamsSchema,
  instantQueryParamsSchema,
  panelDataParamsSchema,
  queryRangeParamsSchema,
} from '../telemetry/metrics/query-params-schema.ts';
import { logQuerySchema } from '../telemetry/logs/log-query.ts';
import { traceIdParamSchema, traceSearchQuerySchema } from '../telemetry/traces/trace-search-query.ts';
import { buildOpenApi, type ApiOp } from './openapi-builder.ts';
import { alertmanagerNotificationSchema } from './alertmanager-routes.ts';
import { scenarioIdParamsSchema } from './scenarios-routes.ts';

const write = { network: 'control', auth: 'session', rateLimited: true } as const;
const read = { network: 'control', auth: 'none' } as const;
const telemetry = { network: 'observability', auth: 'none' } as const;
const wsQuerySchema = z.object({
  token: z
    .string()
    .optional()
    .describe('Session token (or offer the subprotocols `observastack` and `bearer.<token>`).'),
});

/** Every endpoint of the orchestrator's listener (default 127.0.0.1:4000). */
export const orchestratorOps: ApiOp[] = [
  {
    method: 'post',
    path: '/api/session',
    summary:
      'A session token for this browser: without a password for a browser on this machine (loopback peer and Host, no proxy); through a public URL (OBS_PUBLIC_URL, Gitpod, Codespaces) or from another machine only with the learner key (401 without it or with a wrong one, 429 after repeated wrong keys).',
    network: 'control',
    auth: 'none',
    body: sessionBodySchema,
    response: sessionResponseSchema,
    rateLimited: true,
  },
  {
    method: 'get',
    path: '/ws',
    summary:
      'The WebSocket (protocol in orchestrator/src/protocol/ws-messages.ts, run events with their data in run-events.ts): snapshot, then run events, stats, hints, service states, log tail.',
    network: 'control',
    auth: 'session',
    query: wsQuerySchema,
    status: 101,
  },
  {
    method: 'get',
    path: '/api/health',
    summary:
      'Platform health: `ok`, or `degraded` while a supervised process (a SUT service or the embedded PostgreSQL) is down or restarting; mode, process statuses, active run state.',
    ...read,
  },
  { method: 'get', path: '/api/openapi.json', summary: 'This document.', ...read },
  {
    method: 'get',
    path: '/api/scenarios',
    summary: 'The scenario library (learner view: no fixes or answers) and load problems.',
    ...read,
  },
  { method: 'get', path: '/api/scenarios/{id}', summary: 'One scenario.', params: scenarioIdParamsSchema, ...read },
  {
    method: 'post',
    path: '/api/runs',
    summary:
      'Start a run of a scenario, or a surprise run from a seed. 409 when a run is active, or (beyond_capacity) when this machine cannot run the scenario honestly (docs/scenario-guide.md); 503 with Retry-After while the platform starts or measures its capacity.',
    body: startRunBodySchema,
    response: runViewSchema,
    status: 201,
    ...write,
  },
  {
    method: 'get',
    path: '/api/runs',
    summary: 'Past and current runs, newest first.',
    query: listRunsQuerySchema,
    ...read,
  },
  { method: 'get', path: '/api/runs/active', summary: 'The active run with its events and hints.', ...read },
  { method: 'get', path: '/api/runs/{id}', summary: 'One run with its timeline.', params: runIdParamsSchema, ...read },
  {
    method: 'get',
    path: '/api/runs/{id}/postmortem',
    summary: 'Outcome, stage times (TTD, TTL, TTDx, TTM) and timeline.',
    params: runIdParamsSchema,
    ...read,
  },
  {
    method: 'post',
    path: '/api/runs/{id}/stop',
    summary: 'Abandon the active run.',
    params: runIdParamsSchema,
    response: runViewSchema,
    ...write,
  },
  {
    method: 'post',
    path: '/api/runs/{id}/checkpoints/{checkpointId}',
    summary: 'Answer a diagnosis checkpoint.',
    params: checkpointParamsSchema,
    body: checkpointBodySchema,
    ...write,
  },
  {
    method: 'post',
    path: '/api/runs/{id}/page/ack',
    summary:
      'Acknowledge the page: every alert of severity page that fired on the active run since the last acknowledgement; answers the time to acknowledge (TTA). 409 when nothing pages.',
    params: runIdParamsSchema,
    ...write,
  },
  {
    method: 'post',
    path: '/api/reset',
    summary:
      'Abandon any run, stop the load, restore every knob and DB state to healthy defaults. 503 (shop_unavailable) when a shop service does not answer (starting or restarting): the run is abandoned and the load stopped all the same; reset again once every service runs.',
    ...write,
  },
  {
    method: 'get',
    path: '/api/services',
    summary: 'SUT services: health, process, current config, config JSON Schema.',
    ...read,
  },
  { method: 'get', path: '/api/services/{name}', summary: 'One SUT service.', params: serviceParamsSchema, ...read },
  {
    method: 'get',
    path: '/api/changes',
    summary:
      "The shop's change log, newest first: deploys (a release knob such as pricingVersion) and config pushes, with who made them (`you`, `platform-team`, `release-pipeline`, `observastack`). An incident's own change appears as a team would log it; an incident that is not a change (traffic) logs nothing. Kept in memory, at most 500 entries.",
    query: listChangesQuerySchema,
    response: changesResponseSchema,
    ...read,
  },
  {
    method: 'get',
    path: '/api/services/{name}/releases',
    summary:
      "A service's releases with their notes and the one serving now (embedded mode; only the api has releases: 404 for the others).",
    params: serviceParamsSchema,
    response: releasesResponseSchema,
    ...read,
  },
  {
    method: 'post',
    path: '/api/services/{name}/release',
    summary:
      "Roll a release out (or back): a new process with that code starts beside the serving one (SO_REUSEPORT), takes traffic once healthy, and the old one drains and exits; the run's config is put back on the new process. Answers when the old one has exited; recorded in the change log and on the active run's timeline. 400 for an unknown version, 409 (already_running) for the release that serves, 409 (rollout_in_progress) during another rollout, 502 (rollout_failed) when the new process never became healthy (the old one keeps serving), 501 in stack mode.",
    params: serviceParamsSchema,
    body: releaseBodySchema,
    response: rolloutResponseSchema,
    ...write,
  },
  {
    method: 'post',
    path: '/api/services/{name}/restart',
    summary:
      "A rolling restart: a fresh process with the same release takes over and the old one drains, as a rollout does; the run's config is put back on it. Recorded on the active run's timeline. 409 during another rollout, 501 in stack mode.",
    params: serviceParamsSchema,
    response: restartResponseSchema,
    ...write,
  },
  {
    method: 'get',
    path: '/api/jobs',
    summary:
      "The shop's background jobs (embedded mode): what each does as its owners describe it, whether it runs (pid, since when) and how it last ended (`exit code 0`, `signal SIGTERM`, or its last error line).",
    response: jobsResponseSchema,
    ...read,
  },
  {
    method: 'post',
    path: '/api/jobs/{name}/stop',
    summary:
      "Stop a background job: SIGTERM (the job rolls back its transaction), SIGKILL after 5 s; answers the job once it has exited and records the learner's action on the active run's timeline. 404 for an unknown job, 409 (not_running) when it is not running.",
    params: jobParamsSchema,
    response: jobViewSchema,
    ...write,
  },
  {
    method: 'get',
    path: '/api/db/activity',
    summary:
      "The DB view: the shop database's client backends as pg_stat_activity shows them (the platform's own connections left out), who blocks whom (pg_blocking_pids), blockers first, then the oldest transaction; and their relation and row-level locks from pg_locks.",
    response: dbActivityResponseSchema,
    ...read,
  },
  {
    method: 'post',
    path: '/api/db/backends/{pid}/terminate',
    summary:
      "pg_terminate_backend on one of the shop database's backends: its transaction is rolled back and its client sees its connection closed. Recorded as the learner's action on the active run's timeline. 404 for a pid that is not a shop backend (the platform's own, another database's, or gone).",
    params: backendParamsSchema,
    response: terminateResponseSchema,
    ...write,
  },
  {
    method: 'patch',
    path: '/api/services/{name}/config',
    summary:
      "Change a service's runtime config: forwarded on the control path with a minted sut-config JWT to the service's admin thread, validated by the service, recorded on the run timeline. 200 once in effect; 202 when accepted but not yet in effect (`pending` says why); 409 when the service could not apply it.",
    params: serviceParamsSchema,
    body: configPatchBodySchema,
    ...write,
  },
  {
    method: 'get',
    path: '/api/telemetry/metrics/query_range',
    summary: 'PromQL range query over the embedded hub (Prometheus API shape).',
    query: queryRangeParamsSchema,
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/metrics/query',
    summary: 'PromQL instant query over the embedded hub (Prometheus API shape).',
    query: instantQueryParamsSchema,
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/metrics/query_exemplars',
    summary:
      "Exemplars (trace ids of sampled requests) of every series a PromQL expression selects (Prometheus's query_exemplars shape).",
    query: exemplarQueryParamsSchema,
    ...telemetry,
  },
  { method: 'get', path: '/api/telemetry/metrics/targets', summary: 'Scrape targets and their health.', ...telemetry },
  { method: 'get', path: '/api/telemetry/metrics/panels', summary: 'The panel catalog.', ...telemetry },
  {
    method: 'get',
    path: '/api/telemetry/metrics/panels/{id}/data',
    summary: "One catalog panel's queries evaluated over a range.",
    params: z.object({ id: z.string().describe('Panel id.') }),
    query: panelDataParamsSchema,
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/alerts',
    summary:
      "Alerts of the rules in stack/prometheus/rules evaluated by the hub (Prometheus /api/v1/alerts shape), their recent state changes and each rule's health.",
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/loadgen/metrics',
    summary: "The load generator's own metrics (Prometheus text).",
    produces: 'text/plain',
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/logs',
    summary: 'Recent SUT log lines: filter by service, level, text, trace id.',
    query: logQuerySchema,
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/traces',
    summary: 'Trace search: service, minimum duration, error.',
    query: traceSearchQuerySchema,
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/traces/{traceId}',
    summary: 'One trace as a span tree for a waterfall.',
    params: z.object({ traceId: traceIdParamSchema }),
    ...telemetry,
  },
  {
    method: 'get',
    path: '/api/telemetry/db',
    summary: "PostgreSQL's own view: connections, slow statements, top statements.",
    ...telemetry,
  },
  {
    method: 'post',
    path: '/v1/traces',
    summary:
      "OTLP/HTTP trace ingest (protobuf or JSON, gzip allowed, 4 MiB) from the SUT's exporters; refused with an Origin header or from another machine.",
    network: 'observability',
    auth: 'local-process',
    produces: 'application/x-protobuf',
  },
  {
    method: 'post',
    path: '/v1/alertmanager',
    summary:
      "Stack mode: Alertmanager's webhook (payload version 4); each notification is recorded on the active run as alert_notified. Exists only when OBS_ALERTMANAGER_TOKEN_FILE is set.",
    body: alertmanagerNotificationSchema,
    status: 204,
    network: 'observability',
    auth: 'alertmanager-token',
  },
];

/** OpenAPI 3.1 of the orchestrator, built from the same zod schemas that validate the requests. */
export function buildOrchestratorOpenApi() {
  return buildOpenApi(
    {
      title: 'ObservaStack orchestrator',
      description:
        'Lesson site, control API, WebSocket and (embedded mode) the telemetry hub, on one listener. Reads are open to this machine; every write needs a session token from POST /api/session.',
      version: '0.1.0',
      servers: [{ url: 'http://127.0.0.1:4000', description: 'embedded mode default (OBS_PORT)' }],
    },
    orchestratorOps,
  );
}
