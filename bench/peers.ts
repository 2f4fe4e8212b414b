// The benches other parts of the project own, run as child processes with their own flags; their JSON is read
// back and the figures the summary table needs are picked out.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './platform-process.ts';

/** Runs `node bench/<file> ...args --out <out>`, streaming its output to `log`, and parses the JSON it wrote. */
export async function runChildBench(
  file: string,
  args: string[],
  out: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<any> {
  const child = spawn(process.execPath, [join(repoRoot, 'bench', file), ...args, '--out', out], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const onData = (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
    for (const line of chunk.split('\n')) if (line.trim()) log(`    ${line}`);
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  // A last resort only: SIGINT lets the child's handlers (embedded PostgreSQL's exit hook) clean up.
  const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench/${file} exited with ${code}: ${tail.slice(-1500)}`);
  return JSON.parse(await readFile(out, 'utf8'));
}

export interface LoadgenSummary {
  rates: {
    targetRps: number;
    achievedRatio: number | null;
    p50Ratio: number | null;
    p99Ratio: number | null;
    cpuRatio: number | null;
    oursCpuPer1000: number | null;
    heyCpuPer1000: number | null;
    /** Each tool's p50/p99 minus the target's own timing of the same requests (ms): what the tool adds. */
    overTruthMs: { ours: [number, number]; hey: [number, number] } | null;
    /** The p99 ratio of every round at this rate, in the order they ran; the figures above are the median round's. */
    roundP99Ratios: (number | null)[];
  }[];
  /** Rounds per rate (1 before the bench measured in rounds). */
  rounds: number;
  /** The rate the table reports: the highest one measured. */
  headline: LoadgenSummary['rates'][number] | null;
  wrkMaxRps: number | null;
  target: string;
}

function overTruth(r: any): LoadgenSummary['rates'][number]['overTruthMs'] {
  const t = r.truth;
  const over = (tool: any, truth: any): [number, number] | null =>
    [tool?.p50Ms, tool?.p99Ms, truth?.p50Ms, truth?.p99Ms].every((x) => typeof x === 'number')
      ? [tool.p50Ms - truth.p50Ms, tool.p99Ms - truth.p99Ms]
      : null;
  const ours = over(r.ours, t?.ours);
  const hey = over(r.hey, t?.hey);
  return ours && hey ? { ours, hey } : null;
}

export function summarizeLoadgen(report: any): LoadgenSummary {
  const rates = (report.results ?? []).map((r: any) => ({
    targetRps: r.targetRps,
    achievedRatio: r.ratios.achievedRps,
    p50Ratio: r.ratios.p50,
    p99Ratio: r.ratios.p99,
    cpuRatio: r.ratios.cpuPer1000,
    oursCpuPer1000: r.ours.cpuSecondsPer1000,
    heyCpuPer1000: r.hey.cpuSecondsPer1000,
    overTruthMs: overTruth(r),
    roundP99Ratios: (r.rounds ?? [r]).map((x: any) => x.ratios?.p99 ?? null),
  }));
  return {
    rates,
    rounds: report.rounds ?? 1,
    headline: rates.at(-1) ?? null,
    wrkMaxRps: report.wrk?.maxRps ?? null,
    target: report.target,
  };
}

export interface SutCapacity {
  /** Highest stepped rate with p99 < 50 ms and no error of any kind; null when no step qualified. */
  capacityRps: number | null;
  steps: {
    targetRps: number;
    achievedRps: number;
    p99Ms: number | null;
    errorPct: number;
    errors: number;
    qualifies: boolean;
  }[];
  /**
   * The simulated users' default journey mix in steps: a step holds when its offered rate is achieved with no
   * error and p99 < `journeyMixP99Ms` (recommendations and checkout have latency floors by design); the capacity
   * is the highest step that holds.
   */
  journeyMix: {
    capacityRps: number | null;
    steps: {
      targetRps: number;
      achievedRps: number;
      p50Ms: number | null;
      p99Ms: number | null;
      errors: number;
      holds: boolean;
    }[];
  } | null;
  /** wrk in the same run: the shop's catalogue page rate as a share of a bare Node server's and of a two-hop chain's. */
  yardstick: {
    shopRps: number | null;
    bareNodeRps: number | null;
    twoHopChainRps: number | null;
    shopShareOfBare: number | null;
    shopShareOfChain: number | null;
  } | null;
}

export const capacityP99Ms = 50;
/**
 * The journey mix's p99 bound: the catalogue's 50 ms plus the longest floor a journey has by design (checkout's
 * payment authorisation, 30-50 ms; a recommendation's model call, 40 ms).
 */
export const journeyMixP99Ms = 100;

const errorCount = (s: any) => Object.values(s.errors as Record<string, number>).reduce((a, b) => a + b, 0);
/** The open model can fall behind without erroring: a step also needs its offered rate actually achieved. */
const achieved = (s: any) => s.achievedRps >= 0.98 * s.targetRps;
/** A step passes with no error of any kind, its rate achieved and p99 under the bound. */
const passes = (s: any, p99BoundMs: number) =>
  errorCount(s) === 0 && achieved(s) && s.p99Ms !== null && s.p99Ms < p99BoundMs;
/** The highest offered rate among the steps that pass; null when none does. */
const highest = (steps: { targetRps: number }[], pass: (s: any) => boolean) => {
  const ok = steps.filter(pass).map((s) => s.targetRps);
  return ok.length ? Math.max(...ok) : null;
};

export function summarizeSut(report: any): SutCapacity {
  const steps = (report.steps ?? []).map((s: any) => ({
    targetRps: s.targetRps,
    achievedRps: s.achievedRps,
    p99Ms: s.p99Ms,
    errorPct: s.errorPct,
    errors: errorCount(s),
    qualifies: passes(s, capacityP99Ms),
  }));
  const p = report.peers;
  const yardstick = p
    ? {
        shopRps: p.shop?.rps ?? null,
        bareNodeRps: p.bareNode?.rps ?? null,
        twoHopChainRps: p.twoHopChain?.rps ?? null,
        shopShareOfBare: p.shopShareOfBare ?? null,
        shopShareOfChain: p.shopShareOfChain ?? null,
      }
    : null;
  const journeySteps = (report.journeyMix?.steps ?? []).map((j: any) => ({
    targetRps: j.targetRps,
    achievedRps: j.achievedRps,
    p50Ms: j.p50Ms,
    p99Ms: j.p99Ms,
    errors: errorCount(j),
    holds: passes(j, journeyMixP99Ms),
  }));
  const journeyMix = journeySteps.length
    ? { capacityRps: highest(journeySteps, (s) => s.holds), steps: journeySteps }
    : null;
  return { capacityRps: highest(steps, (s) => s.qualifies), steps, journeyMix, yardstick };
}

/** The scenario verify tool's figures (`npm run scenarios:verify`), when its file exists. */
export async function readScenariosVerify(): Promise<any | null> {
  try {
    return JSON.parse(await readFile(join(repoRoot, 'bench/results/scenarios-verify.json'), 'utf8'));
  } catch {
    return null;
  }
}
