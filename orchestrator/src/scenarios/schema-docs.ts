import { z } from 'zod';
import { configStateSchema, scenarioSchema } from './scenario-schema.ts';
import { knobSchemas } from './knobs.ts';
import { signals } from './signals.ts';

type Json = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  anyOf?: Json[];
  oneOf?: Json[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  additionalProperties?: boolean | Json;
};

/** The JSON Schema of one service's knobs (input side: every knob optional, with its default). */
function knobsJsonSchema(service: keyof typeof knobSchemas): Json {
  return z.toJSONSchema(knobSchemas[service], { io: 'input' }) as Json;
}

/**
 * The scenario format as JSON Schema (for editors: `# yaml-language-server: $schema=./scenario.schema.json`).
 * Config states validate in code against the services' own schemas; here they are spelled out per service and
 * knob so an editor can complete and check them too.
 */
export function scenarioJsonSchema(): Json {
  return z.toJSONSchema(scenarioSchema, {
    io: 'input',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def !== configStateSchema._zod.def) return;
      const js = ctx.jsonSchema as Json;
      for (const k of ['propertyNames', 'additionalProperties']) delete js[k];
      js.type = 'object';
      js.additionalProperties = false;
      js.properties = Object.fromEntries(
        Object.keys(knobSchemas).map((s) => {
          const { $schema: _, ...knobs } = knobsJsonSchema(s as keyof typeof knobSchemas);
          return [s, { ...knobs, required: undefined, additionalProperties: false }];
        }),
      );
    },
  }) as Json;
}

const code = (v: unknown) => '`' + (typeof v === 'string' ? v : JSON.stringify(v)) + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s: Json): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(' \\| ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.every((a) => a.const !== undefined)) return alts.map((a) => code(a.const)).join(' \\| ');
  const t = Array.isArray(s.type)
    ? s.type.join(' \\| ')
    : (s.type ?? (s.anyOf || s.oneOf ? 'one of the forms below' : 'any'));
  const range: string[] = [];
  for (const [k, sym] of [
    ['minimum', '≥'],
    ['exclusiveMinimum', '>'],
    ['maximum', '≤'],
    ['minLength', 'length ≥'],
    ['maxLength', 'length ≤'],
    ['minItems', 'items ≥'],
    ['maxItems', 'items ≤'],
  ] as const) {
    if (typeof s[k] === 'number' && Math.abs(s[k] as number) < 1e15) range.push(`${sym} ${s[k]}`);
  }
  if (t === 'array' && s.items) return `list of ${typeOf(s.items)}${range.length ? ` (${range.join(', ')})` : ''}`;
  return range.length ? `${t} (${range.join(', ')})` : t;
}

/** One table row per field, depth first; unions list each form under the same path. */
function fieldRows(s: Json, path: string, required: boolean, rows: string[][], form = ''): void {
  const variants = s.anyOf ?? s.oneOf;
  const isConfigState = path.endsWith('config') || path.endsWith('documented') || path.endsWith('wrong');
  if (path) {
    rows.push([
      code(path) + form,
      typeOf(s),
      required ? 'yes' : 'no',
      s.default === undefined ? '' : code(s.default),
      cell(s.description ?? ''),
    ]);
  }
  if (isConfigState && path) return; // knobs have their own table
  if (variants && !variants.every((v) => v.const !== undefined)) {
    variants.forEach((v, i) => {
      const name = v.properties?.pattern?.const ?? Object.keys(v.properties ?? {})[0] ?? `form ${i + 1}`;
      const label = ` (${String(name)})`;
      for (const [k, p] of Object.entries(v.properties ?? {}))
        fieldRows(p, `${path}.${k}`, (v.required ?? []).includes(k), rows, label);
    });
    return;
  }
  if (s.type === 'array' && s.items) {
    const item = s.items;
    if (item.properties || item.anyOf || item.oneOf)
      fieldRows(
        { ...item, description: undefined, default: undefined },
        `${path}[]`,
        true,
        rows.length ? rows : rows,
        '',
      );
    if (rows.at(-1)?.[0] === code(`${path}[]`)) rows.pop();
    return;
  }
  for (const [k, p] of Object.entries(s.properties ?? {}))
    fieldRows(p, path ? `${path}.${k}` : k, (s.required ?? []).includes(k), rows, form);
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

/** The reference sections of docs/scenario-guide.md, generated from the schemas. */
export function renderReference(): Record<'fields' | 'knobs' | 'signals', string> {
  const rows: string[][] = [];
  fieldRows(z.toJSONSchema(scenarioSchema, { io: 'input' }) as Json, '', true, rows);
  const knobRows = Object.keys(knobSchemas).flatMap((service) =>
    Object.entries(knobsJsonSchema(service as keyof typeof knobSchemas).properties ?? {}).map(([knob, p]) => [
      code(service),
      code(knob),
      typeOf(p),
      code(p.default),
      cell(p.description ?? ''),
    ]),
  );
  const signalRows = Object.entries(signals).map(([name, s]) => [
    code(name),
    s.unit,
    cell(s.description),
    code(s.expr),
  ]);
  return {
    fields: table(['field', 'type', 'required', 'default', 'description'], rows),
    knobs: table(['service', 'knob', 'values', 'healthy default', 'description'], knobRows),
    signals: table(['signal', 'unit', 'meaning', 'PromQL'], signalRows),
  };
}

const marker = (name: string) =>
  [`<!-- generated:${name} (npm run scenarios:schema) -->`, `<!-- /generated:${name} -->`] as const;

/** Replaces each generated section between its markers; throws when a marker is missing. */
export function updateGuide(guide: string): string {
  let out = guide;
  for (const [name, body] of Object.entries(renderReference())) {
    const [open, close] = marker(name);
    const a = out.indexOf(open);
    const b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`docs/scenario-guide.md lacks the markers ${open} … ${close}`);
    out = out.slice(0, a + open.length) + '\n\n' + body + '\n\n' + out.slice(b);
  }
  return out;
}

export const jsonSchemaText = () => JSON.stringify(scenarioJsonSchema(), null, 2) + '\n';
