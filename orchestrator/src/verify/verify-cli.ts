// `npm run scenarios:verify [id…] [--dir <folder>] [--json <file>] [--noise]`: plays each scenario against the real
// platform and checks its fault, its wrong fix and its documented fix (see verify-scenario.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCpuHog } from './cpu-hog.ts';
import { verifyScenarios } from './verify-scenarios.ts';
import { formatVerifyTable } from './verify-report.ts';

const benchFile = fileURLToPath(new URL('../../../bench/results/scenarios-verify.json', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string', short: 'd' },
    json: { type: 'string' },
    noise: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: npm run scenarios:verify -- [id…] [--dir <scenario folder>] [--json <out.json>] [--noise]\n' +
      'Boots the platform headless (DATABASE_URL if set, else embedded PostgreSQL in a temp folder) and, per scenario:\n' +
      'baseline holds, the fault breaches the SLO within 10 s, fix.wrong does not resolve it, fix.documented does.\n' +
      '--noise keeps one CPU core busy with another process for the whole run (a busy laptop or shared VM).',
  );
  process.exit(0);
}

// Bounded twice: stopped when verification ends, and by itself after an hour.
const hog = values.noise ? startCpuHog({ cores: 1, maxSeconds: 3600 }) : null;
if (hog) console.log('noise: one other process keeps one CPU core busy for the whole run');
const report = await verifyScenarios({
  dir: values.dir,
  ids: positionals,
  databaseUrl: process.env.DATABASE_URL || undefined,
  log: (line) => console.log(line),
});
await hog?.stop();
console.log('\n' + formatVerifyTable(report));
const json = JSON.stringify(report, null, 2) + '\n';
// The library's figures file (read by `npm run bench`) only takes a run of the whole built-in library: a run
// of a few ids or of a pack must not replace it with a partial report.
const whole = !values.dir && positionals.length === 0 && !values.noise;
const files = [...(whole ? [benchFile] : []), ...(values.json ? [resolve(values.json)] : [])];
for (const file of files) {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, json);
}
if (files.length) console.log(`figures written to ${files.join(' and ')}`);
process.exit(report.passed ? 0 : 1);
