// Builders of the live store's inputs for its tests (live.test.ts, live-socket.test.ts): runs, events, hints,
// seconds, services, resolutions and snapshots at a fixed instant, and a folding helper.
import { live, reduce, type LiveState } from './live.ts';
import type {
  HintView,
  Resolution,
  RunEvent,
  RunView,
  SecondStatsView,
  ServerMessage,
  ServiceStatus,
} from './types.ts';

export const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);

export const run = (id: string, state: RunView['state'] = 'injected', more: Partial<RunView> = {}): RunView => ({
  id,
  scenarioId: 'slow-db',
  title: 'Slow database',
  surprise: false,
  onCall: false,
  seed: 1,
  state,
  reason: null,
  startedAt: t0,
  injectedAt: null,
  breachedAt: null,
  endedAt: null,
  learnerChanges: 0,
  sloMet: null,
  stageTimes: { detect: null, localize: null, diagnose: null, fix: null },
  slo: {
    successPct: 99,
    latencyPercentile: 95,
    latencyThresholdMs: 300,
    windowSeconds: 30,
    holdSeconds: 60,
    rateLimitedCountsAsSuccess: false,
  },
  ...more,
  load: more.load ?? null,
});
// The fold reads an event's run, sequence and type, never its data: an empty one stands in for every type's.
export const event = (runId: string, seq: number, type: RunEvent['type'] = 'config_changed'): RunEvent =>
  ({ runId, seq, at: t0 + seq, type, message: `${type} ${seq}`, data: {} }) as RunEvent;
export const hint = (runId: string, id: string): HintView => ({
  id,
  runId,
  at: t0,
  text: `hint ${id}`,
  trigger: 'after 60s',
});
export const stats = (t: number): SecondStatsView => ({
  t,
  offered: 10,
  sent: 10,
  completed: 10,
  outcomes: { ok: 10, client: 0, rate_limited: 0, server: 0, timeout: 0, connection: 0, dropped: 0 },
  successPct: 100,
  latencyMs: { p50: 5, p95: 9, p99: 12, max: 20 },
  journeys: {},
  ordersCreated: 1,
  inFlight: 0,
});
export const service = (name: string, state: ServiceStatus['state'], restarts = 0): ServiceStatus => ({
  name,
  state,
  pid: 100,
  restarts,
  lastExit: null,
});
export const resolution = (runId: string): Resolution => ({
  type: 'resolution',
  runId,
  outcome: 'resolved',
  scenarioId: 'slow-db',
  title: 'Slow database',
  explanation: 'the pool was too small',
  stageTimes: { detect: 10, localize: 20, diagnose: 30, fix: 40 },
});
export const snapshot = (o: Partial<Extract<ServerMessage, { type: 'snapshot' }>> = {}): ServerMessage => ({
  type: 'snapshot',
  protocolVersion: 1,
  serverTime: t0,
  run: null,
  events: [],
  hints: [],
  stats: [],
  services: [],
  ...o,
});

/** The page's initial state, connected. */
export const empty: LiveState = { ...live.initial, connection: 'open' };
/** Folds messages from `from`, the way the page does one WebSocket message at a time. */
export const fold = (from: LiveState, ...msgs: ServerMessage[]) => msgs.reduce(reduce, from);

/** Deep-freezes a state so that any mutation by the reducer throws instead of passing silently. */
export function frozen<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}
