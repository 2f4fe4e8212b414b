import type { VerifyReport } from './verify-scenarios.ts';

const cell = (v: number | null, unit = ' s') => (v === null ? '—' : `${v}${unit}`);

/** The verification as a plain-text table, one row per scenario, then each failure. */
export function formatVerifyTable(r: VerifyReport): string {
  const rows = [
    [
      'scenario',
      'load req/s',
      'baseline p95',
      'time to breach',
      'wrong fix held off',
      'time to resolve',
      'fix PATCH (slowest)',
      'result',
    ],
  ];
  for (const s of r.scenarios) {
    rows.push([
      s.id,
      s.load ? `${s.load.baselineRps}${s.load.faultRps === null ? '' : ` → ${s.load.faultRps}`}` : '—',
      s.baseline ? `${s.baseline.latencyMs} ms` : '—',
      cell(s.breachS),
      s.wrongFixHeldOff === null ? 'n/a' : s.wrongFixHeldOff ? 'yes' : 'NO',
      cell(s.resolveS),
      cell(s.fixAnswerMs, ' ms'),
      s.passed ? 'pass' : 'FAIL',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) =>
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const p of r.problems) lines.push(`problem: ${p}`);
  for (const s of r.scenarios) for (const f of s.failures) lines.push(`${s.id}: ${f}`);
  const c = r.calibration;
  lines.push(
    c
      ? `calibration: ${c.capacityRps} req/s (${c.source}${c.loadAvg1m === null ? '' : `, load ${c.loadAvg1m.toFixed(1)} when measured`})`
      : "calibration: none (the scenarios' own rates)",
  );
  lines.push(
    `${r.passed ? 'PASS' : 'FAIL'}: ${r.scenarios.filter((s) => s.passed).length}/${r.scenarios.length} scenarios in ${r.durationS} s (${r.machine.cpus} cores, load ${r.machine.loadAvg1m.toFixed(1)} at start)`,
  );
  return lines.join('\n');
}
