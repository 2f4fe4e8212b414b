import { z } from 'zod';
import { loadPlanSchema } from '../load/plan-schema.ts';

/** A scenario's load is always the simulated users' (the platform's own traffic has its own plans). */
const usersPlanSchema = loadPlanSchema.omit({ purpose: true });
import { knobSchemas, knobServices } from './knobs.ts';
import { apiReleaseVersions } from '@observastack/api/releases';
import { jobNames } from '../protocol/actions.ts';
import { signalNames } from './signals.ts';

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case: lowercase letters, digits and single dashes');
const scenarioId = id.describe('Unique id, kebab-case; the file is usually named `<id>.yaml`.');
const itemId = id.describe('Unique id within the scenario, kebab-case.');

/** `{ service: { knob: value } }`, every service, knob and value checked against the SUT's own schemas. */
export const configStateSchema = z
  .record(z.string(), z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])))
  .superRefine((state, ctx) => {
    for (const [service, knobs] of Object.entries(state)) {
      const schema = knobSchemas[service as keyof typeof knobSchemas];
      if (!schema) {
        ctx.addIssue({
          code: 'custom',
          path: [service],
          message: `unknown service "${service}" (known: ${Object.keys(knobSchemas).join(', ')})`,
        });
        continue;
      }
      for (const [knob, value] of Object.entries(knobs)) {
        const field = schema.shape[knob as keyof typeof schema.shape] as z.ZodType | undefined;
        if (!field) {
          ctx.addIssue({
            code: 'custom',
            path: [service, knob],
            message: `unknown knob "${knob}" of ${service} (known: ${Object.keys(schema.shape).join(', ')})`,
          });
          continue;
        }
        const r = field.safeParse(value);
        if (!r.success)
          ctx.addIssue({
            code: 'custom',
            path: [service, knob],
            message: `${service}.${knob}: ${r.error.issues[0]?.message}`,
          });
      }
    }
  })
  .describe(
    'Runtime-config values per service, e.g. { gateway: { upstreamPoolSize: 2 } }. Every knob must exist and be in range.',
  );
export type ConfigState = z.infer<typeof configStateSchema>;

/** The SLO of a scenario that names none: the built-in scenarios' own. */
export const defaultSlo = {
  successPct: 99,
  latencyPercentile: 95,
  latencyThresholdMs: 250,
  windowSeconds: 30,
  holdSeconds: 20,
  rateLimitedCountsAsSuccess: false,
} as const;

export const sloSchema = z
  .strictObject({
    successPct: z
      .number()
      .min(50)
      .max(100)
      .default(99)
      .describe("Share of the simulated users' requests that must succeed, in %."),
    latencyPercentile: z
      .union([z.literal(50), z.literal(95), z.literal(99)])
      .default(95)
      .describe('Which latency percentile the SLO bounds.'),
    latencyThresholdMs: z
      .number()
      .min(1)
      .max(60_000)
      .default(250)
      .describe('That percentile must stay under this many milliseconds.'),
    windowSeconds: z.int().min(5).max(600).default(30).describe('Window the SLO is measured over, in seconds.'),
    holdSeconds: z
      .int()
      .min(5)
      .max(600)
      .default(20)
      .describe(
        'After a learner change, the SLO must hold this long (on traffic after the change) to resolve the run.',
      ),
    rateLimitedCountsAsSuccess: z
      .boolean()
      .default(false)
      .describe('Count requests shed with a clear 429 as served (load-shedding scenarios).'),
  })
  .default(() => ({ ...defaultSlo }))
  .describe("The service level objective, measured on the simulated users' own traffic.");

const afterTrigger = z.strictObject({
  afterSeconds: z.int().min(0).max(7200).describe('Seconds after the fault was applied.'),
});
const signalTrigger = z.strictObject({
  signal: z.enum(signalNames).describe('A named signal (see docs/scenario-guide.md for the list).'),
  op: z.enum(['>', '<']).describe('Comparison with the threshold.'),
  value: z.number().describe("Threshold, in the signal's unit."),
  forSeconds: z.int().min(1).max(600).default(5).describe('The condition must hold this many consecutive seconds.'),
});
const noChangeTrigger = z.strictObject({
  noChangeForSeconds: z.int().min(10).max(7200).describe('No learner config change this many seconds after the fault.'),
});
const unrelatedChangeTrigger = z.strictObject({
  unrelatedChange: z.literal(true).describe("The learner changed a knob this scenario's fault does not involve."),
});

/**
 * A fix that is not (only) a config write: the actions a learner takes from the lesson's widgets, each through
 * its own route (docs/api.md, "Fix actions"). `scenarios:verify` takes them the same way.
 */
export const fixActionSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('config'),
    config: configStateSchema,
  }),
  z.strictObject({
    action: z.literal('restart'),
    service: z.enum(knobServices).describe('A rolling restart: a fresh process with the same release and config.'),
  }),
  z.strictObject({
    action: z.literal('release'),
    service: z.literal('api'),
    version: z.enum(apiReleaseVersions).describe('The release to roll out (or back to).'),
  }),
  z.strictObject({
    action: z.literal('stop-job'),
    job: z.enum(jobNames),
  }),
  z.strictObject({
    action: z.literal('terminate-backend'),
    which: z
      .literal('blockers')
      .describe('Every PostgreSQL backend that blocks another one, as the DB view shows them (pids change per run).'),
  }),
]);
export type FixAction = z.infer<typeof fixActionSchema>;

/** A fix: a config state (the knobs to write) or a list of actions, taken in order. */
export const fixSchema = z.union([z.array(fixActionSchema).min(1).max(5), configStateSchema]);
export type Fix = z.infer<typeof fixSchema>;

/** The config writes of a fix (a config state, or its `config` actions). */
export function fixConfig(fix: Fix): ConfigState[] {
  if (!Array.isArray(fix)) return [fix];
  return fix.flatMap((a) => (a.action === 'config' ? [a.config] : []));
}

export const hintSchema = z.strictObject({
  id: itemId,
  text: z.string().min(1).max(1000).describe('What the learner reads (Markdown).'),
  when: z
    .union([afterTrigger, signalTrigger, noChangeTrigger, unrelatedChangeTrigger])
    .describe('What shows the hint: a time, a signal crossing a threshold, or learner behaviour.'),
});

export const checkpointSchema = z
  .strictObject({
    id: itemId,
    stage: z.enum(['detect', 'localize', 'diagnose']).describe('Scoring stage the right answer completes.'),
    question: z.string().min(1).max(500).describe('What the learner is asked (Markdown).'),
    choices: z.array(z.string().min(1).max(200)).min(2).max(8).optional().describe('Multiple choice options.'),
    answer: z.int().min(0).optional().describe('Index of the right choice.'),
    pattern: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Regular expression (case-insensitive) a free-text answer must match.'),
    explanation: z.string().max(1000).default('').describe('Shown after a right answer.'),
  })
  .refine(
    (c) =>
      (c.choices !== undefined && c.answer !== undefined && c.answer < c.choices.length) !== (c.pattern !== undefined),
    { message: 'a checkpoint has either choices with an answer index inside them, or a pattern' },
  );

export const scenarioSchema = z.strictObject({
  id: scenarioId,
  title: z.string().min(3).max(120).describe('Shown in the lesson list and the run header.'),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']).describe('How much investigation the incident takes.'),
  estimatedMinutes: z.int().min(1).max(240).describe('Typical time for a learner to resolve it, in minutes.'),
  objectives: z.array(z.string().min(1)).min(1).describe('What the learner will be able to do afterwards.'),
  story: z.string().min(1).describe('The learner-facing story (Markdown): "Monday 09:12, the on-call phone rings…".'),
  load: usersPlanSchema.describe('The simulated users during the whole run (the learner can never change it).'),
  baselineSeconds: z
    .int()
    .min(5)
    .max(300)
    .default(10)
    .describe('The SLO must hold this long before the fault is applied.'),
  fault: z
    .strictObject({
      config: configStateSchema.default({}),
      load: usersPlanSchema
        .optional()
        .describe('A load plan that replaces `load` when the fault is applied (traffic incidents).'),
      release: z
        .strictObject({
          service: z.literal('api'),
          version: z.enum(apiReleaseVersions),
          note: z
            .string()
            .min(1)
            .max(300)
            .optional()
            .describe("The release pipeline's line in the change log (default: the release's own notes)."),
        })
        .optional()
        .describe('A release rolled out when the incident starts (a new process with that code takes the traffic).'),
      job: z
        .enum(jobNames)
        .optional()
        .describe('A background job of the shop started when the incident starts (it never appears in a form).'),
    })
    .refine(
      (f) => Object.keys(f.config).length > 0 || f.load !== undefined || f.release !== undefined || f.job !== undefined,
      'a fault changes config, load, a release or starts a job',
    )
    .describe('What is broken when the incident starts.'),
  slo: sloSchema,
  expiresAfterSeconds: z
    .int()
    .min(60)
    .max(14_400)
    .default(1800)
    .describe('The run expires this long after the fault if unresolved.'),
  hints: z
    .array(hintSchema)
    .default([])
    .describe('Shown one by one while the run is injected, each once, when its trigger fires.'),
  checkpoints: z
    .array(checkpointSchema)
    .default([])
    .describe('Questions for staged scoring; a right answer records the stage time (TTD, TTL, TTDx).'),
  fix: z
    .strictObject({
      documented: fixSchema.describe(
        'The fix the guide teaches (knobs to write, or a list of actions); `scenarios:verify` applies it and expects resolution.',
      ),
      wrong: fixSchema
        .optional()
        .describe(
          'A plausible wrong fix (knobs or actions, e.g. a restart that only mitigates); `scenarios:verify` applies it and expects NO resolution.',
        ),
      explanation: z
        .string()
        .min(1)
        .describe('Shown when the run resolves: what was wrong and why the fix works (Markdown).'),
    })
    .describe('How the incident is fixed; never shown to learners before the run ends.'),
});
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioSpec = z.infer<typeof scenarioSchema>;
