import { z } from 'zod';

export const figureRowSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]+(:[a-z0-9-]+)?$/)
    .describe('Stable row id, e.g. memory-idle or time-to-symptom:gateway-pool-lowered'),
  figure: z.string().describe('What is measured, as the performance table names it'),
  how: z.string().describe('How it was measured, in one line'),
  value: z.string().describe('The measured figure, formatted with its unit; "not measured" when the step failed'),
  target: z.string().describe('The target on a 2-core machine, or "report" when the figure is reported only'),
  met: z.boolean().nullable().describe('Whether the target is met; null for report-only or unmeasured figures'),
  note: z.string().nullable().describe('What the number is made of or why it is missing, computed from the run'),
});
export type FigureRow = z.infer<typeof figureRowSchema>;

export const machineSchema = z.object({
  cpuModel: z.string().describe('CPU model as the kernel reports it'),
  cpus: z.number().int().describe('Logical CPUs'),
  memTotalBytes: z.number().describe('Physical memory'),
  os: z.string().describe('Kernel name and release'),
  node: z.string().describe('Node.js version running the bench'),
  loadAvgStart: z.array(z.number()).length(3).describe('1/5/15-minute load average when the run started'),
  loadAvgEnd: z.array(z.number()).length(3).describe('1/5/15-minute load average when the run ended'),
});
export type Machine = z.infer<typeof machineSchema>;

export const benchErrorSchema = z.object({
  step: z.string().describe('Bench step that failed'),
  message: z.string().describe('Why it failed'),
});

/** bench/results/<date>.json: the summary rows, the machine, and every step's own figures. */
export const benchReportSchema = z.object({
  bench: z.literal('all'),
  smoke: z.boolean().describe('A smoke run (seconds, tiny loads): checks the benches run, its numbers mean nothing'),
  generatedAt: z.string().describe('ISO time the run ended'),
  durationS: z.number().describe('Wall time of the whole run'),
  machine: machineSchema,
  rows: z.array(figureRowSchema).describe('The performance table'),
  details: z.object({
    site: z.unknown().describe('Per-page JS/CSS weights (bench/site-weight.ts)'),
    session: z.unknown().describe('Boots, memory, scenarios, push latency (bench/platform-session.ts)'),
    hub: z.unknown().describe('Hub memory and per-panel query times (bench/hub.ts)'),
    loadgen: z.unknown().describe('bench/loadgen-vs-peer.ts output'),
    sut: z.unknown().describe('bench/sut-throughput.ts output'),
    scenariosVerify: z.unknown().describe('bench/results/scenarios-verify.json when present'),
  }),
  errors: z
    .array(benchErrorSchema)
    .describe('Steps that could not be measured (a failure of the bench, not of a target)'),
});
export type BenchReport = z.infer<typeof benchReportSchema>;

/** A row for a figure that could not be measured, saying why. */
export const missing = (id: string, figure: string, how: string, target: string, why: string): FigureRow => ({
  id,
  figure,
  how,
  value: 'not measured',
  target,
  met: null,
  note: why,
});
