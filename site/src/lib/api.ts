import { orchestratorUrl } from './config.ts';
import { sessionToken, SessionError } from './session.ts';
import { PlatformError, platformRequest, type PlatformAnswer } from '../../../orchestrator/src/protocol/client-core.ts';
import type {
  ChangeEntry,
  HintView,
  LogEntry,
  PanelData,
  PanelMeta,
  Postmortem,
  PublicScenario,
  RunEvent,
  RunView,
  ServiceView,
  StartRunBody,
  TraceDetail,
  TraceSummary,
  ExemplarSeries,
  CheckpointAnswerView,
  PageAckView,
  ConfigPatchView,
  DbActivityView,
  TerminateView,
  ReleasesView,
  RolloutView,
  RestartView,
  JobView,
} from './types.ts';

/** The orchestrator answered with an error body ({error:{code,message,issues}}). */
export { PlatformError as ApiError };

/** The orchestrator could not be reached at all (not started, wrong URL, or CORS refused). */
export class BackendDownError extends Error {
  constructor(cause: unknown) {
    super(`the ObservaStack backend is not reachable at ${orchestratorUrl()}`, { cause });
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let answer: PlatformAnswer;
  try {
    // Every state-changing request carries the session token (see lib/session.ts), asked anew after a 401.
    answer = await platformRequest(orchestratorUrl(), method, path, {
      body,
      token: method === 'GET' ? undefined : sessionToken,
    });
  } catch (err) {
    if (err instanceof SessionError) throw new PlatformError(err.status, { code: 'session', message: err.message });
    throw new BackendDownError(err);
  }
  if (!answer.ok) throw PlatformError.of(answer);
  return answer.json as T;
}

const qs = (params: Record<string, string | number | boolean | undefined | null>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

export const api = {
  health: () => request<{ status: string; mode: string; run: string | null }>('GET', '/api/health'),
  scenarios: () => request<{ scenarios: PublicScenario[] }>('GET', '/api/scenarios'),
  scenario: (id: string) => request<PublicScenario>('GET', `/api/scenarios/${encodeURIComponent(id)}`),
  startRun: (body: StartRunBody) => request<RunView>('POST', '/api/runs', body),
  stopRun: (id: string) => request<RunView>('POST', `/api/runs/${id}/stop`),
  reset: () => request<{ ok: boolean }>('POST', '/api/reset'),
  runs: (limit = 10) => request<{ runs: RunView[] }>('GET', `/api/runs${qs({ limit })}`),
  activeRun: () => request<{ run: RunView | null; events: RunEvent[]; hints: HintView[] }>('GET', '/api/runs/active'),
  run: (id: string) => request<{ run: RunView; events: RunEvent[] }>('GET', `/api/runs/${id}`),
  postmortem: (id: string) => request<Postmortem>('GET', `/api/runs/${id}/postmortem`),
  acknowledgePage: (runId: string) => request<PageAckView>('POST', `/api/runs/${runId}/page/ack`),
  answerCheckpoint: (runId: string, checkpointId: string, answer: number | string) =>
    request<CheckpointAnswerView>('POST', `/api/runs/${runId}/checkpoints/${checkpointId}`, { answer }),
  service: (name: string) => request<ServiceView>('GET', `/api/services/${encodeURIComponent(name)}`),
  changes: (limit = 30) => request<{ changes: ChangeEntry[] }>('GET', `/api/changes${qs({ limit })}`),
  patchConfig: (name: string, patch: Record<string, number | string | boolean>) =>
    request<ConfigPatchView>('PATCH', `/api/services/${encodeURIComponent(name)}/config`, patch),
  panels: () => request<{ data: PanelMeta[] }>('GET', '/api/telemetry/metrics/panels'),
  panelData: (id: string, start: number, end: number, step: number) =>
    request<{ data: PanelData }>(
      'GET',
      `/api/telemetry/metrics/panels/${encodeURIComponent(id)}/data${qs({ start, end, step })}`,
    ),
  exemplars: (query: string, start: number, end: number) =>
    request<{ data: ExemplarSeries[] }>('GET', `/api/telemetry/metrics/query_exemplars${qs({ query, start, end })}`),
  logs: (f: { service?: string; level?: string; text?: string; traceId?: string; limit?: number }) =>
    request<{ entries: LogEntry[]; services: string[] }>('GET', `/api/telemetry/logs${qs(f)}`),
  traces: (f: { service?: string; minDurationMs?: number; error?: boolean; limit?: number }) =>
    request<{ traces: TraceSummary[] }>('GET', `/api/telemetry/traces${qs(f)}`),
  trace: (traceId: string) => request<TraceDetail>('GET', `/api/telemetry/traces/${traceId}`),
  // Fix actions beyond config knobs (orchestrator/src/protocol/actions.ts, db-activity.ts).
  dbActivity: () => request<DbActivityView>('GET', '/api/db/activity'),
  terminateBackend: (pid: number) => request<TerminateView>('POST', `/api/db/backends/${Math.trunc(pid)}/terminate`),
  releases: (name: string) => request<ReleasesView>('GET', `/api/services/${encodeURIComponent(name)}/releases`),
  release: (name: string, version: string) =>
    request<RolloutView>('POST', `/api/services/${encodeURIComponent(name)}/release`, { version }),
  restart: (name: string) => request<RestartView>('POST', `/api/services/${encodeURIComponent(name)}/restart`),
  jobs: () => request<{ jobs: JobView[] }>('GET', '/api/jobs'),
  stopJob: (name: string) => request<JobView>('POST', `/api/jobs/${encodeURIComponent(name)}/stop`),
};

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
