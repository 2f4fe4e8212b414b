import type { AlertEventView } from '../../protocol/ws-messages.ts';
import type { Labels, SeriesStore } from '../metrics/series-store.ts';
import { seriesKey } from '../metrics/series-store.ts';
import { parsePromql, type Expr } from '../promql/index.ts';
import { DEFAULT_LOOKBACK_MS, Evaluator } from '../promql/evaluator.ts';
import { RingBuffer } from '../logs/ring-buffer.ts';
import { AlertingRule, type ActiveAlert, type AlertTransition } from './alerting-rule.ts';
import { isAlertingRule, type RecordingRuleSpec, type RuleGroupSpec } from './rule-file.ts';

/** A state change of an alert, numbered in the order the evaluator saw it. */
export interface AlertEvent extends AlertTransition {
  seq: number;
  alertname: string;
  group: string;
}

/** The WebSocket protocol's view of an alert event (JSON has no NaN: a non-finite value is null). */
export function toAlertEventView(e: AlertEvent): AlertEventView {
  return {
    seq: e.seq,
    alertname: e.alertname,
    state: e.state,
    at: e.atMs,
    labels: e.labels,
    annotations: e.annotations,
    value: Number.isFinite(e.value) ? e.value : null,
  };
}

export interface RuleHealth {
  group: string;
  name: string;
  kind: 'alerting' | 'recording';
  query: string;
  health: 'unknown' | 'ok' | 'err';
  lastError: string | null;
  lastEvaluationMs: number | null;
}

export interface RuleEvaluatorOptions {
  store: SeriesStore;
  groups: RuleGroupSpec[];
  /** State changes kept for the API (oldest dropped first; default 500). */
  maxEvents?: number;
  /** Wall clock in ms (default Date.now); tests pass a fake clock. */
  now?: () => number;
}

interface CompiledRule {
  health: RuleHealth;
  expr: Expr;
  alerting: AlertingRule | null;
  recording: RecordingRuleSpec | null;
}

interface CompiledGroup {
  spec: RuleGroupSpec;
  rules: CompiledRule[];
  /** Series this group wrote at its last evaluation, to end with a staleness marker when they stop. */
  written: Map<string, Labels>;
  lastEvalMs: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Evaluates Prometheus rule files over the hub's series store with the hub's PromQL engine, as Prometheus's
 * rule manager does: each group every `interval` at timestamps aligned to it, alerting rules through their
 * pending → firing → resolved states, `ALERTS{alertname, alertstate, …}` and recording rules written back to the
 * store (with staleness markers when a series stops).
 */
export class RuleEvaluator {
  private readonly store: SeriesStore;
  private readonly now: () => number;
  private readonly groups: CompiledGroup[];
  private readonly history: RingBuffer<AlertEvent>;
  private readonly listeners = new Set<(e: AlertEvent) => void>();
  private seq = 0;
  private running = false;

  constructor(o: RuleEvaluatorOptions) {
    this.store = o.store;
    this.now = o.now ?? (() => Date.now());
    this.history = new RingBuffer(o.maxEvents ?? 500);
    this.groups = o.groups.map((spec) => ({
      spec,
      written: new Map(),
      lastEvalMs: -Infinity,
      timer: null,
      rules: spec.rules.map((r) => ({
        expr: parsePromql(r.expr),
        alerting: isAlertingRule(r) ? new AlertingRule(r) : null,
        recording: isAlertingRule(r) ? null : r,
        health: {
          group: spec.name,
          name: isAlertingRule(r) ? r.alert : r.record,
          kind: isAlertingRule(r) ? 'alerting' : 'recording',
          query: r.expr,
          health: 'unknown',
          lastError: null,
          lastEvaluationMs: null,
        },
      })),
    }));
  }

  /** Evaluates every group at each multiple of its interval until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const g of this.groups) this.schedule(g);
  }

  stop(): void {
    this.running = false;
    for (const g of this.groups) {
      if (g.timer) clearTimeout(g.timer);
      g.timer = null;
    }
  }

  private schedule(g: CompiledGroup): void {
    const interval = g.spec.intervalMs;
    const next = Math.floor(this.now() / interval) * interval + interval;
    g.timer = setTimeout(() => {
      g.timer = null;
      if (!this.running) return;
      this.evaluateGroup(g, next);
      this.schedule(g);
    }, next - this.now());
  }

  /** Evaluates every group once at `atMs` (what the timers do; tests call it directly). */
  evaluateAll(atMs: number): void {
    for (const g of this.groups) this.evaluateGroup(g, atMs);
  }

  private evaluateGroup(g: CompiledGroup, atMs: number): void {
    if (atMs <= g.lastEvalMs) return;
    g.lastEvalMs = atMs;
    const evaluator = new Evaluator(this.store, DEFAULT_LOOKBACK_MS);
    const written = new Map<string, Labels>();
    const write = (labels: Labels, value: number) => {
      const key = seriesKey(labels);
      if (written.has(key)) return;
      written.set(key, labels);
      this.store.append(labels, atMs, value);
    };
    for (const rule of g.rules) {
      rule.health.lastEvaluationMs = atMs;
      try {
        const v = evaluator.instant(rule.expr, atMs);
        const samples = v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : v.samples;
        if (rule.recording) {
          for (const s of samples)
            write({ ...s.labels, ...rule.recording.labels, __name__: rule.recording.record }, s.value);
        } else if (rule.alerting) {
          for (const t of rule.alerting.evaluate(samples, atMs)) this.emit(t, rule.alerting.name, g.spec.name);
          for (const a of rule.alerting.alerts()) write({ ...a.labels, __name__: 'ALERTS', alertstate: a.state }, 1);
        }
        rule.health.health = 'ok';
        rule.health.lastError = null;
      } catch (err) {
        // As Prometheus: a failed evaluation changes no alert state; the rule reports its error.
        rule.health.health = 'err';
        rule.health.lastError = (err as Error).message;
        for (const a of rule.alerting?.alerts() ?? [])
          write({ ...a.labels, __name__: 'ALERTS', alertstate: a.state }, 1);
      }
    }
    for (const [key, labels] of g.written) if (!written.has(key)) this.store.markStale(labels, atMs);
    g.written = written;
  }

  private emit(t: AlertTransition, alertname: string, group: string): void {
    const e: AlertEvent = { ...t, seq: ++this.seq, alertname, group };
    this.history.push(e);
    for (const l of this.listeners) l(e);
  }

  /** Calls `fn` with every state change from now on; returns the unsubscribe function. */
  subscribe(fn: (e: AlertEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Pending and firing alerts of every rule. */
  alerts(): ActiveAlert[] {
    return this.groups.flatMap((g) => g.rules.flatMap((r) => r.alerting?.alerts() ?? []));
  }

  /** The last state changes, oldest first (at most `maxEvents`). */
  events(): AlertEvent[] {
    return [...this.history.newestFirst()].reverse();
  }

  rules(): RuleHealth[] {
    return this.groups.flatMap((g) => g.rules.map((r) => ({ ...r.health })));
  }
}
