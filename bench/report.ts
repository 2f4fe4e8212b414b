// Output of `npm run bench`: the machine, the console table and docs/performance.md. The doc is regenerated
// on every run except its hand-written notes between the markers below, which are carried over verbatim.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { HubFigures } from './hub.ts';
import { journeyMixP99Ms, type LoadgenSummary, type SutCapacity } from './peers.ts';
import type { BenchReport, FigureRow, Machine } from './results-schema.ts';
import type { SessionFigures } from './platform-session.ts';
import { round } from './stats.ts';

export const NOTES_START = '<!-- notes:start (hand-written; kept when the bench regenerates this file) -->';
export const NOTES_END = '<!-- notes:end -->';

export function machine(loadAvgStart: number[]): Machine {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memTotalBytes: totalmem(),
    os: `${osType()} ${release()}`,
    node: process.version,
    loadAvgStart,
    loadAvgEnd: loadavg(),
  };
}

const mark = (met: boolean | null) => (met === null ? '-' : met ? 'yes' : 'NO');
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function consoleTable(rows: FigureRow[]): string {
  const cols = [
    rows.map((r) => r.figure),
    rows.map((r) => r.value),
    rows.map((r) => r.target),
    rows.map((r) => mark(r.met)),
  ];
  const heads = ['figure', 'measured', 'target', 'met'];
  const widths = cols.map((c, i) => Math.max(heads[i].length, ...c.map((x) => x.length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i])).join(' | ');
  return [
    line(heads),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map((_, r) => line(cols.map((c) => c[r]))),
  ].join('\n');
}

/** The hand-written notes of an existing doc, or a starting text. */
export async function existingNotes(docPath: string): Promise<string> {
  if (existsSync(docPath)) {
    const text = await readFile(docPath, 'utf8');
    const a = text.indexOf(NOTES_START);
    const b = text.indexOf(NOTES_END);
    if (a >= 0 && b > a) return text.slice(a + NOTES_START.length, b).trim();
  }
  return '_No notes yet: write here, per missed target, why it is missed and what would close it._';
}

function detailSections(r: BenchReport): string[] {
  const out: string[] = [];
  const l = r.details.loadgen as { summary: LoadgenSummary } | null;
  if (l?.summary?.rates.length) {
    out.push(
      '### Load generator vs hey, per rate',
      '',
      `Each rate's figures are its median round by p99 ratio, of ${l.summary.rounds ?? 1}; the last column has every round's.`,
      '',
      "| rate req/s | achieved ours/hey | p50 ours/hey | p99 ours/hey | CPU per 1000 ours/hey | p50 / p99 over the target's own timing, ours | the same, hey | p99 ours/hey, every round |",
      '|---|---|---|---|---|---|---|---|',
    );
    const over = (xs: [number, number] | undefined) => (xs ? xs.map((x) => `${round(x, 2)} ms`).join(' / ') : '-');
    for (const x of l.summary.rates)
      out.push(
        `| ${x.targetRps} | ${round(x.achievedRatio, 3)} | ${round(x.p50Ratio, 2)} | ${round(x.p99Ratio, 2)} | ${round(x.cpuRatio, 2)} | ${over(x.overTruthMs?.ours)} | ${over(x.overTruthMs?.hey)} | ${(x.roundP99Ratios ?? []).map((v) => round(v, 2) ?? '-').join(', ')} |`,
      );
    out.push('');
  }
  const sut = r.details.sut as { summary: SutCapacity } | null;
  if (sut?.summary?.steps.length) {
    out.push(
      '### SUT steps (bench/sut-throughput.ts)',
      '',
      '| offered req/s | achieved req/s | p99 ms | errors | qualifies |',
      '|---|---|---|---|---|',
    );
    for (const x of sut.summary.steps)
      out.push(
        `| ${x.targetRps} | ${x.achievedRps} | ${round(x.p99Ms)} | ${x.errors} | ${x.qualifies ? 'yes' : 'no'} |`,
      );
    for (const j of sut.summary.journeyMix?.steps ?? [])
      out.push(
        `| ${j.targetRps}, default journey mix | ${j.achievedRps} | ${round(j.p99Ms)} | ${j.errors} | ${j.holds ? `holds (rate, no errors, p99 < ${journeyMixP99Ms} ms)` : 'no'} |`,
      );
    out.push('');
  }
  const session = r.details.session as SessionFigures | null;
  if (session?.boots.length) {
    out.push('### Boot steps', '');
    for (const b of session.boots) out.push(`- ${b.kind}: ${b.steps.map((x) => x.replace(/\s+/g, ' ')).join('; ')}`);
    out.push('');
  }
  const hub = r.details.hub as HubFigures | null;
  if (hub?.panels.length) {
    out.push(
      '### Slowest panels at full retention',
      '',
      '| panel | queries | step 5 s ms | step 1 s ms | series |',
      '|---|---|---|---|---|',
    );
    for (const p of [...hub.panels].sort((a, b) => b.step5Ms - a.step5Ms).slice(0, 8))
      out.push(`| ${p.panel} | ${p.queries} | ${round(p.step5Ms, 1)} | ${round(p.step1Ms, 1)} | ${p.seriesReturned} |`);
    out.push('');
  }
  return out;
}

export function markdown(r: BenchReport, resultsFile: string, notes: string): string {
  const m = r.machine;
  const misses = r.rows.filter((x) => x.met === false);
  const unmeasured = r.rows.filter((x) => x.value === 'not measured');
  return [
    '# Performance',
    '',
    `Generated by \`npm run bench\` (bench/run-all.ts) on ${r.generatedAt.slice(0, 10)} at ${r.generatedAt.slice(11, 16)} UTC, in ${Math.round(r.durationS)} s${r.smoke ? ' — **a smoke run: its numbers mean nothing**' : ''}. Raw figures: \`${resultsFile}\`.`,
    'Benchmarks report numbers; they never fail the build on one. A smoke version runs inside `npm test` (bench/test/bench-smoke.test.ts) so this code cannot rot.',
    '',
    '## Machine',
    '',
    `- ${m.cpus} x ${m.cpuModel}, ${round(m.memTotalBytes / 2 ** 30, 1)} GB RAM, ${m.os}, Node ${m.node}`,
    `- load average (1/5/15 min) ${m.loadAvgStart.map((x) => x.toFixed(2)).join(' / ')} at the start, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(' / ')} at the end${m.loadAvgStart[0] > m.cpus * 0.5 ? ` — **the machine was busy with other work: these figures are noisy; the lead re-runs \`npm run bench\` on a quiet machine before quoting them**` : ''}`,
    '',
    '## Figures',
    '',
    '| figure | how | measured | target | met | detail |',
    '|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${cell(x.figure)} | ${cell(x.how)} | ${cell(x.value)} | ${cell(x.target)} | ${mark(x.met)} | ${cell(x.note ?? '')} |`,
    ),
    '',
    ...(r.errors.length
      ? [
          'Steps that could not be measured:',
          '',
          ...r.errors.map((e) => `- ${e.step}: ${cell(e.message.split('\n')[0])}`),
          '',
        ]
      : []),
    '## Missed targets',
    '',
    misses.length || unmeasured.length
      ? [...misses, ...unmeasured]
          .map((x) => `- **${x.figure}**: ${x.value} against ${x.target}.${x.note ? ` ${x.note}.` : ''}`)
          .join('\n')
      : 'None in this run.',
    '',
    'Why, and what would close each (hand-written):',
    '',
    NOTES_START,
    notes,
    NOTES_END,
    '',
    '## Details',
    '',
    ...detailSections(r),
    '## How to reproduce',
    '',
    '```sh',
    'npm run build:site          # optional: the site weight row needs dist/site',
    'npm run bench               # everything, ~5 minutes; writes bench/results/<date>.json and this file',
    'npm run bench -- --smoke    # seconds-scale check that every bench still runs (writes to a temp folder)',
    'npm run bench -- --only session,hub   # a subset: site, session, hub, loadgen, sut',
    '```',
    '',
    'Close other work first: the benches share 2 cores with whatever else runs. Memory is the process tree under the',
    'orchestrator (its SUT children and embedded PostgreSQL with its backends) read from /proc; RSS counts pages',
    'shared between processes once per process, Pss splits them, so the true footprint lies between the two.',
    '',
  ].join('\n');
}
