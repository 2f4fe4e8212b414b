import { z } from 'zod';

export const panelSections = ['users', 'gateway', 'api', 'inventory', 'database', 'runtime'] as const;
export const panelKinds = ['timeseries', 'stat', 'logs', 'traces'] as const;
export const panelUnits = [
  'reqps',
  'percent',
  'percentunit',
  'seconds',
  'ms',
  'bytes',
  'short',
  'opm',
  'bool',
] as const;

export const panelQuerySchema = z.object({
  expr: z.string().min(1).describe('PromQL for metric panels, LogQL for logs panels, TraceQL for traces panels'),
  legend: z.string().describe('Series name template, Grafana style: {{label}} is replaced by the label value'),
  exemplars: z
    .boolean()
    .optional()
    .describe("The query reads the services' request histogram, whose buckets carry exemplars (trace ids)"),
});
export type PanelQuery = z.infer<typeof panelQuerySchema>;

export const thresholdStepSchema = z.object({
  value: z.number().nullable().describe('Where this step starts, in the panel unit; null for the base step'),
  color: z.enum(['green', 'orange', 'red']).describe('Colour from this value upwards'),
});
export type ThresholdStep = z.infer<typeof thresholdStepSchema>;

export const panelSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'id must be kebab-case')
    .describe('Stable kebab-case id used by lessons and the API'),
  title: z.string().min(1).describe('Short title shown above the panel'),
  section: z
    .enum(panelSections)
    .describe('Which part of the system the panel looks at; one Grafana dashboard per section'),
  kind: z.enum(panelKinds).describe('How the panel is drawn'),
  unit: z.enum(panelUnits).describe('Unit of the values (Grafana unit ids)'),
  queries: z.array(panelQuerySchema).min(1).describe('What the panel shows, one series group per query'),
  help: z
    .object({
      shows: z.string().min(1).describe('What the panel shows, in plain words'),
      healthy: z.string().min(1).describe('What it looks like when all is well'),
      problem: z.string().min(1).describe('What it looks like when something is wrong, and where to look next'),
    })
    .describe('Guidance for learners'),
  thresholds: z
    .array(thresholdStepSchema)
    .optional()
    .describe('Colour steps, e.g. an SLO line; the first step has value null'),
});
export type Panel = z.infer<typeof panelSchema>;
export type PanelSection = Panel['section'];
