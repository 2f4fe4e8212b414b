import type { Labels } from '../metrics/series-store.ts';
import { seriesKey } from '../metrics/series-store.ts';
import type { AlertingRuleSpec } from './rule-file.ts';
import { expandTemplate } from './template.ts';

export type AlertState = 'pending' | 'firing';

/** One alert of a rule (one label set), as Prometheus's /api/v1/alerts reports it. */
export interface ActiveAlert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  /** When the expression first returned this label set (ms). */
  activeAtMs: number;
  /** When it turned firing (ms), null while pending. */
  firedAtMs: number | null;
  value: number;
}

/** A change of one alert's state: pending (new), firing, resolved (was firing), inactive (pending, then gone). */
export interface AlertTransition {
  labels: Labels;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'resolved' | 'inactive';
  atMs: number;
  value: number;
}

/**
 * The state machine of one alerting rule, as Prometheus's AlertingRule.Eval: each evaluation's result samples
 * become alerts keyed by their labels (sample labels without the name, plus the rule's labels and `alertname`);
 * a new one is pending, and fires once it has been active for the rule's `for:` duration; one missing from a
 * result is dropped (pending) or resolved (firing).
 */
export class AlertingRule {
  readonly spec: AlertingRuleSpec;
  private readonly active = new Map<string, ActiveAlert>();

  constructor(spec: AlertingRuleSpec) {
    this.spec = spec;
  }

  get name(): string {
    return this.spec.alert;
  }

  alerts(): ActiveAlert[] {
    return [...this.active.values()];
  }

  /** Applies one evaluation's result at `atMs`; returns the transitions it caused. */
  evaluate(samples: { labels: Labels; value: number }[], atMs: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const s of samples) {
      const { __name__: _name, ...sampleLabels } = s.labels;
      const data = { labels: sampleLabels, value: s.value };
      const labels: Labels = { ...sampleLabels };
      for (const [k, v] of Object.entries(this.spec.labels)) labels[k] = expandTemplate(v, data);
      labels.alertname = this.spec.alert;
      for (const [k, v] of Object.entries(labels)) if (v === '') delete labels[k];
      const key = seriesKey(labels);
      if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      seen.add(key);
      const annotations = Object.fromEntries(
        Object.entries(this.spec.annotations).map(([k, v]) => [k, expandTemplate(v, data)]),
      );
      const existing = this.active.get(key);
      if (existing) {
        existing.value = s.value;
        existing.annotations = annotations;
      } else {
        const alert: ActiveAlert = {
          labels,
          annotations,
          state: 'pending',
          activeAtMs: atMs,
          firedAtMs: null,
          value: s.value,
        };
        this.active.set(key, alert);
        out.push(transition(alert, 'pending', atMs));
      }
    }
    for (const [key, a] of this.active) {
      if (seen.has(key)) continue;
      this.active.delete(key);
      out.push(transition(a, a.state === 'firing' ? 'resolved' : 'inactive', atMs));
    }
    for (const a of this.active.values()) {
      if (a.state === 'pending' && atMs - a.activeAtMs >= this.spec.for) {
        a.state = 'firing';
        a.firedAtMs = atMs;
        out.push(transition(a, 'firing', atMs));
      }
    }
    return out;
  }
}

function transition(a: ActiveAlert, state: AlertTransition['state'], atMs: number): AlertTransition {
  return { labels: a.labels, annotations: a.annotations, state, atMs, value: a.value };
}
