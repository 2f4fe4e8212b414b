import { z } from 'zod';
import { checkpointBodySchema, configPatchBodySchema, errorBodySchema, startRunBodySchema } from '../protocol/rest.ts';
import { runViewSchema } from '../protocol/run.ts';

type Op = { method: 'get' | 'post' | 'patch'; path: string; summary: string; body?: z.ZodType; response?: z.ZodType; path_?: 'control' | 'observability' };

const ops: Op[] = [
  { method: 'get', path: '/api/health', summary: 'Platform health: mode, SUT processes, active run state.' },
  { method: 'get', path: '/api/scenarios', summary: 'The scenario library (learner view: no fixes or answers) and load problems.' },
  { method: 'get', path: '/api/scenarios/{id}', summary: 'One scenario.' },
  { method: 'post', path: '/api/runs', summary: 'Start a run of a scenario, or a surprise run from a seed. 409 when a run is active.', body: startRunBodySchema, response: runViewSchema },
  { method: 'get', path: '/api/runs', summary: 'Past and current runs, newest first.' },
  { method: 'get', path: '/api/runs/active', summary: 'The active run with its events and hints.' },
  { method: 'get', path: '/api/runs/{id}', summary: 'One run with its timeline.' },
  { method: 'get', path: '/api/runs/{id}/postmortem', summary: 'Outcome, stage times (TTD, TTL, TTDx, TTM) and timeline.' },
  { method: 'post', path: '/api/runs/{id}/stop', summary: 'Abandon the active run.', response: runViewSchema },
  { method: 'post', path: '/api/runs/{id}/checkpoints/{checkpointId}', summary: 'Answer a diagnosis checkpoint.', body: checkpointBodySchema },
  { method: 'post', path: '/api/reset', summary: 'Abandon any run, stop the load, restore every knob and DB state to healthy defaults.' },
  { method: 'get', path: '/api/services', summary: 'SUT services: health, process, current config, config JSON Schema.' },
  { method: 'get', path: '/api/services/{name}', summary: 'One SUT service.' },
  { method: 'patch', path: '/api/services/{name}/config', summary: 'Change a service\'s runtime config (forwarded with a minted sut-config JWT; recorded on the run timeline).', body: configPatchBodySchema },
  { method: 'get', path: '/api/telemetry/metrics/query_range', summary: 'PromQL range query over the embedded hub (Prometheus API shape).', path_: 'observability' },
  { method: 'get', path: '/api/telemetry/metrics/panels', summary: 'The panel catalog.', path_: 'observability' },
  { method: 'get', path: '/api/telemetry/logs', summary: 'Recent SUT log lines: filter by service, level, text, trace id.', path_: 'observability' },
  { method: 'get', path: '/api/telemetry/traces', summary: 'Trace search: service, minimum duration, error.', path_: 'observability' },
  { method: 'get', path: '/api/telemetry/traces/{traceId}', summary: 'One trace as a span tree for a waterfall.', path_: 'observability' },
  { method: 'get', path: '/api/telemetry/db', summary: 'PostgreSQL\'s own view: connections, slow statements, top statements.', path_: 'observability' },
];

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

/** OpenAPI 3.1 of the orchestrator, built from the same zod schemas that validate the requests. */
export function buildOrchestratorOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      summary: op.summary,
      'x-network-path': op.path_ ?? 'control',
      parameters: params.length ? params : undefined,
      requestBody: op.body ? { required: true, content: { 'application/json': { schema: schema(op.body) } } } : undefined,
      responses: {
        '200': { description: 'OK', content: op.response ? { 'application/json': { schema: schema(op.response) } } : undefined },
        '4XX': { description: 'Refused, with a reason per field', content: { 'application/json': { schema: schema(errorBodySchema) } } },
      },
    };
  }
  return { openapi: '3.1.0', info: { title: 'ObservaStack orchestrator', version: '0.1.0' }, servers: [{ url: 'http://127.0.0.1:4000' }], paths };
}
