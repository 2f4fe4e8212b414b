// `npm run test:noisy`: the whole `npm test` while another process keeps one CPU core busy, as on a learner's
// laptop or a shared cloud workspace. The hog stops by itself after --max-minutes (default 60) and is stopped
// when the tests end; the exit code is the tests' own.
import { spawn } from 'node:child_process';
import { startCpuHog } from '../orchestrator/src/verify/cpu-hog.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got ${process.argv[i + 1]}`);
  return value;
};
const cores = arg('--cores', 1);
const maxMinutes = arg('--max-minutes', 60);

const hog = startCpuHog({ cores, maxSeconds: maxMinutes * 60 });
console.log(`test:noisy: ${hog.running} busy process(es) keep ${cores} core(s) busy for at most ${maxMinutes} min`);
const t0 = performance.now();
const tests = spawn('npm', ['test'], { stdio: 'inherit' });
const code = await new Promise<number>((resolve) => tests.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
const stillBusy = hog.running;
await hog.stop();
const minutes = ((performance.now() - t0) / 60_000).toFixed(1);
console.log(`test:noisy: npm test exited ${code} after ${minutes} min`);
if (code === 0 && stillBusy < cores) {
  // A pass that was not under noise to the end proves less than it claims.
  console.error(
    `test:noisy: the hog ended before the tests did (${stillBusy}/${cores} still busy): raise --max-minutes`,
  );
  process.exit(2);
}
process.exit(code);
