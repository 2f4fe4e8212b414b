import type { LoadFiguresView, PanelMeta, RunState } from './types.ts';

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export const timeOfDay = (ms: number) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const stateLabel: Record<RunState, string> = {
  pending: 'starting',
  baseline: 'measuring the baseline',
  injected: 'incident in progress',
  resolved: 'resolved',
  abandoned: 'stopped',
  expired: 'expired',
  aborted: 'aborted',
};

/** A value in a catalog panel unit, for axes and tooltips. */
export function formatUnit(v: number, unit: PanelMeta['unit']): string {
  if (!Number.isFinite(v)) return '–';
  switch (unit) {
    case 'percentunit':
      return `${round(v * 100)} %`;
    case 'percent':
      return `${round(v)} %`;
    case 'seconds':
      return v < 1 ? `${round(v * 1000)} ms` : `${round(v)} s`;
    case 'ms':
      return `${round(v)} ms`;
    case 'reqps':
      return `${round(v)}/s`;
    case 'opm':
      return `${round(v)}/min`;
    case 'bytes':
      return v > 1e6 ? `${round(v / 1e6)} MB` : v > 1e3 ? `${round(v / 1e3)} kB` : `${round(v)} B`;
    case 'bool':
      return v ? 'yes' : 'no';
    default:
      return String(round(v));
  }
}

function round(v: number): string {
  const a = Math.abs(v);
  return (a >= 100 ? Math.round(v) : a >= 10 ? Math.round(v * 10) / 10 : Math.round(v * 100) / 100).toString();
}

/** Grafana-style legend: "{{route}} p95" with the series labels filled in. */
export function legendFor(template: string, labels: Record<string, string>): string {
  const out = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => labels[k] ?? '');
  return (
    out.trim() ||
    Object.entries(labels)
      .filter(([k]) => k !== '__name__')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') ||
    'value'
  );
}

/**
 * The load of a run on this machine, in one line: "This machine: 753 req/s (measured 3 Dec) · baseline 80 req/s
 * (11 % of it) · incident load 1130 req/s (1.5×)". See docs/scenario-guide.md, "Load on every machine".
 */
export function describeLoad(l: LoadFiguresView): string {
  const machine =
    l.capacityRps === null
      ? "This machine: not calibrated (the scenario's own rates)"
      : `This machine: ${l.capacityRps} req/s (${l.source === 'configured' ? 'configured' : `measured ${new Date(l.measuredAt ?? 0).toLocaleDateString([], { day: 'numeric', month: 'short' })}`})`;
  const lowered =
    l.baselineRps < l.baselineReferenceRps ? `, lowered from the scenario's ${l.baselineReferenceRps}` : '';
  const baseline = `baseline ${l.baselineRps} req/s${l.baselineShare === null ? '' : ` (${Math.round(100 * l.baselineShare)} % of it${lowered})`}`;
  const fault =
    l.faultRps === null
      ? ''
      : ` · incident load ${l.faultRps} req/s${l.overload === null ? '' : ` (${l.overload.toFixed(1)}×)`}`;
  return `${machine} · ${baseline}${fault}`;
}
