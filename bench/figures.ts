// The performance table: one row per figure, computed from each step's own results, each with its target.
import type { HubFigures } from './hub.ts';
import type { LoadgenSummary, SutCapacity } from './peers.ts';
import type { SessionFigures } from './platform-session.ts';
import { missing, type FigureRow } from './results-schema.ts';
import { journeyMixRow, sutRow } from './figures-sut.ts';
import type { SiteWeight } from './site-weight.ts';
import { mb, percentile, round } from './stats.ts';

export interface Measured {
  site: SiteWeight | null;
  session: SessionFigures | null;
  hub: HubFigures | null;
  loadgen: LoadgenSummary | null;
  sut: SutCapacity | null;
  /** bench/results/scenarios-verify.json (`npm run scenarios:verify`), for the scenarios this run left out. */
  verify: {
    startedAt?: string;
    scenarios?: { id: string; breachS: number | null; resolveS: number | null; failures: string[] }[];
  } | null;
  /** holdSeconds of every scenario in the folder, by id. */
  holdSeconds: Record<string, number>;
}

const MB400 = 400 * 2 ** 20;
const s = (msValue: number | null | undefined) => (msValue == null ? '-' : `${(msValue / 1000).toFixed(1)} s`);
/** Pss per role at the peak, biggest first: where the memory is. */
const byRole = (r: Partial<Record<string, number>> | undefined) =>
  Object.entries(r ?? {})
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k} ${mb(v)}`)
    .join(', ');
const byComm = (r: Record<string, number> | undefined) =>
  Object.entries(r ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${mb(v)} MB`)
    .join(', ');

function bootRows(m: Measured): FigureRow[] {
  const how = '`node orchestrator/src/main.ts` spawned until its `Ready in` line';
  const boots = m.session?.boots ?? [];
  const rows: FigureRow[] = [];
  for (const kind of ['existing', 'fresh'] as const) {
    const b = boots.find((x) => x.kind === kind);
    const id = `cold-start-${kind}`;
    const figure = `cold start, ${kind} data folder`;
    const target = kind === 'existing' ? '< 10 s' : 'report';
    if (!b || b.readyMs === null) {
      rows.push(missing(id, figure, how, target, 'the platform did not boot; see errors'));
      continue;
    }
    const slowest = b.steps
      .map((l) => ({ l, ms: Number(/\((\d+) ms\)$/.exec(l)?.[1] ?? 0) }))
      .sort((a, c) => c.ms - a.ms)[0];
    rows.push({
      id,
      figure,
      how,
      target,
      value: `${s(b.readyMs)} (health ${s(b.healthMs)})`,
      met: kind === 'existing' ? b.readyMs < 10_000 : null,
      note: [
        slowest ? `slowest step: ${slowest.l.replace(/^\[\d+\/\d+\]\s*/, '')}` : null,
        m.session?.databaseNote ?? null,
        b.stop?.orphanPids.length
          ? `left processes behind: ${b.stop.orphanPids.join(', ')}`
          : `stopped by SIGINT in ${s(b.stop?.stopMs)} (exit ${b.stop?.code ?? b.stop?.signal}), no process left`,
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  return rows;
}

function memoryRows(m: Measured): FigureRow[] {
  const how =
    'Pss summed over the process tree (/proc/*/smaps_rollup: shared pages split between their sharers), PostgreSQL included; VmRSS beside it';
  const rows: FigureRow[] = [];
  const idle = m.session?.idle;
  const warmUp = m.session?.warmUp;
  const duringWarmUp = warmUp?.samples
    ? `; during the boot warm-up just before: ${mb(warmUp.meanPssBytes)} MB Pss`
    : '';
  rows.push(
    idle && idle.samples
      ? {
          id: 'memory-idle',
          figure: 'memory, idle',
          how: `${how}; once the boot warm-up's traffic has ended and its threads and connections have closed (a learner reading a lesson)`,
          target: '< 400 MB',
          value: `${mb(idle.meanPssBytes)} MB Pss (RSS ${mb(idle.meanBytes)} MB)`,
          met: idle.meanPssBytes < MB400,
          note: `Pss MB at its peak: ${byRole(idle.peakPss?.pssByRole)}; RSS of ${idle.peak?.processes} processes: ${byComm(idle.peak?.byComm)}${duringWarmUp}`,
        }
      : missing('memory-idle', 'memory, idle', how, '< 400 MB', 'the platform did not boot'),
  );
  const sc = m.session?.scenarios[0];
  rows.push(
    sc && sc.rss.samples
      ? {
          id: 'memory-scenario',
          figure: 'memory, during a scenario',
          how: `${how}; peak over ${sc.scenarioId} at its default load`,
          target: '< 400 MB',
          value: `${mb(sc.rss.peakPssBytes)} MB Pss peak (RSS peak ${mb(sc.rss.peakBytes)} MB)`,
          met: sc.rss.peakPssBytes < MB400,
          note: `Pss MB at the peak: ${byRole(sc.rss.peakPss?.pssByRole)}; RSS of ${sc.rss.peak?.processes} processes: ${byComm(sc.rss.peak?.byComm)}`,
        }
      : missing('memory-scenario', 'memory, during a scenario', how, '< 400 MB', 'no scenario ran'),
  );
  return rows;
}

function loadgenRows(m: Measured): FigureRow[] {
  const how = '`bench/loadgen-vs-peer.ts`: same target and rate, ours vs hey, ratio ours/hey';
  const l = m.loadgen;
  if (!l || !l.rates.length)
    return [
      missing(
        'loadgen-truth',
        'load generator truth',
        how,
        'within 1 % / 10 %',
        'bench/loadgen-vs-peer.ts did not run; see errors',
      ),
      missing('loadgen-overhead', 'generator overhead', how, 'report', 'not run'),
    ];
  const worst = (f: (r: LoadgenSummary['rates'][number]) => number | null) =>
    l.rates
      .map(f)
      .filter((x): x is number => x !== null)
      .reduce((a, x) => (Math.abs(x - 1) > Math.abs(a - 1) ? x : a), 1);
  const span = (f: (r: LoadgenSummary['rates'][number]) => number | null) => {
    const xs = l.rates.map(f).filter((x): x is number => x !== null);
    return xs.length ? `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}` : 'n/a';
  };
  const rate = worst((r) => r.achievedRatio);
  const p50 = worst((r) => r.p50Ratio);
  const p99 = worst((r) => r.p99Ratio);
  const rates = l.rates.map((r) => r.targetRps).join(', ');
  // hey is a peer, not the truth: its Go client adds ~1 ms of its own at every percentile here. A generator under
  // hey's figures is met only when it is also closer than hey to the target's own timing (so it is more accurate,
  // not under-reporting, e.g. through coordinated omission); otherwise the ratio must sit within 10 % both ways.
  const oneSided = l.rates.every((r) => (r.p50Ratio ?? Infinity) <= 1.1 && (r.p99Ratio ?? Infinity) <= 1.1);
  const closer = l.rates.every((r) => {
    const o = r.overTruthMs;
    return o !== null && o.ours.every((x, i) => Math.abs(x) <= Math.abs(o.hey[i]));
  });
  const twoSided = Math.abs(p50 - 1) <= 0.1 && Math.abs(p99 - 1) <= 0.1;
  return [
    {
      id: 'loadgen-truth',
      figure: 'load generator truth',
      how: `${how}; ${l.rounds > 1 ? `${l.rounds} rounds a rate, each rate's median round by p99 ratio; ` : ''}rate: the worst ratio, p50/p99: the range of ratios over ${rates} req/s`,
      target: "rate within 1 %; p50/p99 within 10 %, or at most 1.10x hey's and closer to the target's own timing",
      value: `rate ${rate.toFixed(3)}, p50 ${span((r) => r.p50Ratio)}, p99 ${span((r) => r.p99Ratio)}`,
      met: Math.abs(rate - 1) <= 0.01 && (twoSided || (oneSided && closer)),
      note: `ours at most 1.10x hey's p50 and p99 at every rate: ${oneSided ? 'yes' : 'no'}; closer than hey to the target's own timing at every rate and percentile: ${closer ? 'yes' : 'no'} (details below)${l.rounds > 1 ? `; p99 ratio in every round: ${l.rates.map((r) => `${r.targetRps}/s ${r.roundP99Ratios.map((x) => round(x, 2) ?? '-').join(', ')}`).join('; ')}` : ''}; target: ${l.target}; wrk closed-model max ${round(l.wrkMaxRps, 0)} req/s`,
    },
    {
      id: 'loadgen-overhead',
      figure: 'generator overhead',
      how: 'CPU seconds per 1000 requests, ours (process.cpuUsage) vs hey (/usr/bin/time)',
      target: 'report the ratio',
      value: l.rates.map((r) => `${r.targetRps}/s: ${round(r.cpuRatio, 2)}x`).join('; '),
      met: null,
      note: l.headline
        ? `at ${l.headline.targetRps} req/s ours ${round(l.headline.oursCpuPer1000, 3)} s vs hey ${round(l.headline.heyCpuPer1000, 3)} s per 1000`
        : null,
    },
  ];
}

function scenarioRows(m: Measured): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const sc of m.session?.scenarios ?? []) {
    rows.push({
      id: `time-to-symptom:${sc.scenarioId}`,
      figure: `time to symptom, ${sc.scenarioId}`,
      how: 'fault_applied -> slo_breached (judge stamps); client receipt beside it',
      target: '< 10 s',
      value:
        sc.timeToSymptomS === null
          ? 'no breach seen'
          : `${round(sc.timeToSymptomS)} s (seen ${round(sc.timeToSymptomSeenS)} s)`,
      met: sc.timeToSymptomS === null ? false : sc.timeToSymptomS < 10,
      note: sc.error ?? `SLO window ${sc.windowSeconds} s`,
    });
    const target = sc.holdSeconds + 2;
    rows.push({
      id: `time-to-verdict:${sc.scenarioId}`,
      figure: `time to verdict, ${sc.scenarioId}`,
      how: 'documented fix PATCH sent -> `resolution` received over WebSocket',
      target: `<= hold + 2 s = ${target} s`,
      value: sc.timeToVerdictS === null ? 'no verdict' : `${round(sc.timeToVerdictS)} s (${sc.outcome})`,
      met: sc.timeToVerdictS !== null && sc.outcome === 'resolved' && sc.timeToVerdictS <= target,
      note: sc.error ?? `hold ${sc.holdSeconds} s, window ${sc.windowSeconds} s`,
    });
  }
  if (!rows.length)
    rows.push(
      missing(
        'time-to-symptom',
        'time to symptom / verdict',
        'one run per scenario through REST + WebSocket',
        '< 10 s / hold + 2 s',
        'no scenario ran',
      ),
    );
  const ran = new Set((m.session?.scenarios ?? []).map((x) => x.scenarioId));
  const fromVerify = (m.verify?.scenarios ?? []).filter((v) => !ran.has(v.id));
  const src = `\`npm run scenarios:verify\` of ${m.verify?.startedAt?.slice(0, 16).replace('T', ' ') ?? '?'} (its own platform)`;
  for (const v of fromVerify) {
    const hold = m.holdSeconds[v.id];
    const why = v.failures.length ? v.failures.join('; ') : null;
    rows.push({
      id: `time-to-symptom:${v.id}`,
      figure: `time to symptom, ${v.id}`,
      how: `fault -> slo_breached, from ${src}`,
      target: '< 10 s',
      value: v.breachS === null ? 'no breach seen' : `${v.breachS} s`,
      met: v.breachS === null ? false : v.breachS < 10,
      note: why,
    });
    rows.push({
      id: `time-to-verdict:${v.id}`,
      figure: `time to verdict, ${v.id}`,
      how: `documented fix -> resolved, from ${src}`,
      target: hold === undefined ? 'hold + 2 s' : `<= hold + 2 s = ${hold + 2} s`,
      value: v.resolveS === null ? 'no verdict' : `${v.resolveS} s`,
      met: v.resolveS === null || hold === undefined ? (v.resolveS === null ? false : null) : v.resolveS <= hold + 2,
      note: why,
    });
  }
  const covered = new Set([...ran, ...fromVerify.map((v) => v.id)]);
  for (const id of (m.session?.scenariosSkipped ?? []).filter((x) => !covered.has(x)))
    rows.push(
      missing(
        `time-to-symptom:${id}`,
        `time to symptom / verdict, ${id}`,
        'one run per scenario',
        '< 10 s / hold + 2 s',
        'left out to keep the run within its time budget; `npm run scenarios:verify` times every scenario (about a minute each)',
      ),
    );
  return rows;
}

function pushRow(m: Measured): FigureRow {
  const how = 'config_changed event created (server `at`) -> received by a ws client on the same host';
  const p = m.session?.push;
  if (!p || p.samples === 0) return missing('push-latency', 'push latency', how, '< 100 ms p99', p?.error ?? 'not run');
  const hints = m.session?.scenarios.flatMap((x) => x.hintPushMs) ?? [];
  const p99 = percentile(p.eventToClientMs, 99)!;
  return {
    id: 'push-latency',
    figure: 'push latency',
    how: `${how}, ${p.samples} samples`,
    target: '< 100 ms p99',
    value: `p50 ${percentile(p.eventToClientMs, 50)} ms, p99 ${p99} ms`,
    met: p99 < 100,
    note: `PATCH sent -> event received p50 ${percentile(p.requestToEventMs, 50)} ms, p99 ${percentile(p.requestToEventMs, 99)} ms${hints.length ? `; hints created -> received: ${hints.join(', ')} ms` : ''}`,
  };
}

function hubRows(m: Measured): FigureRow[] {
  const h = m.hub;
  const how = 'a hub filled with 15 min of 1 s samples for the series a live platform exposes';
  if (!h)
    return [
      missing('hub-memory', 'telemetry hub memory', how, 'report', 'no series captured; see errors'),
      missing('hub-query', 'panel query time', how, 'report', 'not run'),
    ];
  const slow = [...h.panels].sort((a, b) => b.step5Ms - a.step5Ms)[0];
  const failed = h.panels.filter((p) => p.error);
  return [
    {
      id: 'hub-memory',
      figure: 'telemetry hub memory at full retention',
      how,
      target: 'report',
      value: `${mb(h.storeBytes)} MB (store accounting), heap growth ${mb(h.heapGrowthBytes)} MB`,
      met: null,
      note: `${h.series} series x ${h.samplesPerSeries} samples, filled in ${round(h.fillMs, 0)} ms`,
    },
    {
      id: 'hub-query',
      figure: 'panel query time over 15 min',
      how: `every metric panel of the catalog, query_range over 15 min`,
      target: 'report',
      value: `step 5 s: p50 ${round(h.step5.p50Ms, 1)} ms, max ${round(h.step5.maxMs, 1)} ms; step 1 s: p50 ${round(h.step1.p50Ms, 1)} ms, max ${round(h.step1.maxMs, 1)} ms`,
      met: null,
      note: `${h.panels.length} panels; slowest ${slow?.panel}${failed.length ? `; failed: ${failed.map((p) => `${p.panel} (${p.error})`).join(', ')}` : ''}`,
    },
  ];
}

function siteRow(m: Measured): FigureRow {
  const how = 'JS and CSS a lesson page loads (scripts, islands, their static imports), gzipped';
  const w = m.site;
  if (!w || !w.built)
    return missing(
      'site-weight',
      'site weight',
      how,
      '< 150 KB JS',
      'not built: run `npm run build:site` (writes dist/site), then `npm run bench`',
    );
  if (!w.pages.length) return missing('site-weight', 'site weight', how, '< 150 KB JS', `no HTML page in ${w.siteDir}`);
  return {
    id: 'site-weight',
    figure: 'site weight',
    how: `${how}; ${w.scope}, ${w.pages.length} pages`,
    target: '< 150 KB JS',
    value: `JS max ${round(w.maxJsGzipBytes! / 1024)} KB (median ${round(w.medianJsGzipBytes! / 1024)} KB), CSS max ${round(w.maxCssGzipBytes! / 1024)} KB`,
    met: w.maxJsGzipBytes! < 150 * 1024,
    note: `heaviest: ${w.heaviest}; plus up to ${round(Math.max(...w.pages.map((p) => p.lazyJsGzipBytes)) / 1024)} KB loaded on demand by dynamic import() (not counted against the target)`,
  };
}

export function figureRows(m: Measured): FigureRow[] {
  return [
    ...bootRows(m),
    ...memoryRows(m),
    sutRow(m.sut),
    journeyMixRow(m.sut),
    ...loadgenRows(m),
    ...scenarioRows(m),
    pushRow(m),
    ...hubRows(m),
    siteRow(m),
  ];
}
