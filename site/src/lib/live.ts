import { orchestratorUrl } from './config.ts';
import { createStore } from './store.ts';
import { LiveSocket, type Connection } from '../../../orchestrator/src/protocol/client-core.ts';
import { sessionTokens } from './session.ts';
import type {
  AlertEventView,
  ClientMessage,
  HintView,
  LogLine,
  Resolution,
  RunEvent,
  RunView,
  SecondStatsView,
  ServerMessage,
  ServiceStatus,
} from './types.ts';

/** `refused`: the platform answers but will not give this browser a session (e.g. no learner key): see `refusal`. */
export type { Connection };

/** Everything the orchestrator pushes over /ws, folded into one state. */
export interface LiveState {
  connection: Connection;
  /** The platform's reason when the connection is `refused` (it says where to find the learner key). */
  refusal: string | null;
  run: RunView | null;
  events: RunEvent[];
  hints: HintView[];
  stats: SecondStatsView[];
  services: ServiceStatus[];
  resolution: Resolution | null;
  /** Alerts firing now (the hub's rule evaluator pushes every state change), one per label set. */
  firing: AlertEventView[];
  /** Server clock minus the browser's, from snapshots and heartbeats. */
  clockSkewMs: number;
}

const keepStats = 900;

export const live = createStore<LiveState>({
  connection: 'connecting',
  refusal: null,
  run: null,
  events: [],
  hints: [],
  stats: [],
  services: [],
  resolution: null,
  firing: [],
  clockSkewMs: 0,
});

const alertKey = (a: AlertEventView) => JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => x.localeCompare(y)));

/** Pure reducer: the state after one server message (exported for tests and for replaying REST answers). */
export function reduce(s: LiveState, m: ServerMessage): LiveState {
  switch (m.type) {
    case 'snapshot':
      return {
        ...s,
        run: m.run,
        events: m.events,
        hints: m.hints,
        stats: m.stats.slice(-keepStats),
        services: m.services,
        clockSkewMs: m.serverTime - Date.now(),
      };
    case 'run': {
      const sameRun = s.run?.id === m.run.id;
      return {
        ...s,
        run: m.run,
        events: sameRun ? s.events : [],
        hints: sameRun ? s.hints : [],
        resolution: sameRun ? s.resolution : null,
      };
    }
    case 'event':
      if (s.run && m.event.runId !== s.run.id) return s;
      if (s.events.some((e) => e.seq === m.event.seq)) return s;
      return { ...s, events: [...s.events, m.event] };
    case 'hint':
      if (s.hints.some((h) => h.id === m.hint.id && h.runId === m.hint.runId)) return s;
      return { ...s, hints: [...s.hints, m.hint] };
    case 'stats':
      return { ...s, stats: [...s.stats.slice(-(keepStats - 1)), m.stats] };
    case 'resolution':
      return { ...s, resolution: m };
    case 'service':
      return { ...s, services: [...s.services.filter((x) => x.name !== m.service.name), m.service] };
    case 'heartbeat':
      return { ...s, clockSkewMs: m.serverTime - Date.now() };
    case 'alert': {
      const key = alertKey(m.alert);
      const others = s.firing.filter((a) => alertKey(a) !== key);
      if (m.alert.state === 'firing') return { ...s, firing: [...others, m.alert] };
      return others.length === s.firing.length ? s : { ...s, firing: others };
    }
    default:
      return s;
  }
}

const logListeners = new Set<(line: LogLine) => void>();
let logFilter: Extract<ClientMessage, { type: 'subscribe-logs' }> | null = null;

// One connection per page, kept open (reconnects with backoff, fresh token after a refused upgrade).
const socket = new LiveSocket({
  base: orchestratorUrl,
  tokens: sessionTokens,
  onConnection: (connection, refusal) => live.update((s) => ({ ...s, connection, refusal })),
  onOpen: () => {
    if (logFilter) send(logFilter);
  },
  onMessage: (data) => {
    let m: ServerMessage;
    try {
      m = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (m.type === 'log') for (const l of logListeners) l(m.line);
    else live.update((s) => reduce(s, m));
  },
});

/** Opens the WebSocket once per page and keeps it open, reconnecting with backoff. Safe to call often. */
export function connectLive(): void {
  if (typeof WebSocket !== 'undefined') socket.start();
}

function send(m: ClientMessage): void {
  socket.send(JSON.stringify(m));
}

/** Live log tail: lines matching the filter arrive until the returned function is called. */
export function tailLogs(
  filter: { service?: string; level?: string; text?: string },
  onLine: (line: LogLine) => void,
): () => void {
  connectLive();
  logFilter = { type: 'subscribe-logs', ...filter };
  send(logFilter);
  logListeners.add(onLine);
  return () => {
    logListeners.delete(onLine);
    if (logListeners.size === 0) {
      logFilter = null;
      send({ type: 'unsubscribe-logs' });
    }
  };
}

/** Folds a REST answer (e.g. after POST /api/runs) into the state before the WebSocket echoes it. */
export function applyRun(run: RunView): void {
  live.update((s) => reduce(s, { type: 'run', run }));
}

/** Adds events and hints fetched over REST (GET /api/runs/active) that the WebSocket may have sent before the run was known. */
export function mergeRunHistory(runId: string, events: RunEvent[], hints: HintView[]): void {
  live.update((s) => {
    if (s.run?.id !== runId) return s;
    const seqs = new Set(s.events.map((e) => e.seq));
    const ids = new Set(s.hints.map((h) => h.id));
    return {
      ...s,
      events: [...s.events, ...events.filter((e) => !seqs.has(e.seq))].sort((a, b) => a.seq - b.seq),
      hints: [...s.hints, ...hints.filter((h) => h.runId === runId && !ids.has(h.id))],
    };
  });
}

export const isActive = (run: RunView | null) =>
  !!run && (run.state === 'pending' || run.state === 'baseline' || run.state === 'injected');

/** Cross-links between the log and trace widgets: pick a trace id in one, the other follows. */
export const selection = createStore<{ traceId: string | null; logTraceId: string | null }>({
  traceId: null,
  logTraceId: null,
});
