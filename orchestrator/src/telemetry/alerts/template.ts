/**
 * The part of Prometheus's alert templating (Go text/template over `.Labels`, `.Value`) that rule files use:
 * `{{ $labels.name }}`, `{{ $value }}` (and `.Labels.name`, `.Value`), optionally piped through `humanize` or
 * `humanizePercentage`. Anything else expands, as in Prometheus, to `<error expanding template: …>`.
 */
export interface TemplateData {
  labels: Record<string, string>;
  value: number;
}

class TemplateError extends Error {}

/** Go's fmt `%v` of a float64 (strconv's shortest %g): shortest digits, exponent form below 1e-4 and from 1e6 on. */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return gFormat(v, v.toExponential(), 6);
}

/** Go's `%.4g`. */
export function goG4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const rounded = Number(v.toPrecision(4));
  return gFormat(rounded, rounded.toExponential(), 4);
}

/** %g's choice: exponent form when the exponent is < -4 or >= `eprec`, with at least two exponent digits. */
function gFormat(v: number, exponential: string, eprec: number): string {
  const [mantissa, expText] = exponential.split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= eprec) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

/** Prometheus's `humanize`: SI prefixes, 4 significant digits. */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return goG4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goG4(v)}${prefix}`;
}

const functions: Record<string, (v: number) => string> = {
  humanize,
  humanizePercentage: (v) => `${goG4(v * 100)}%`,
};

function evalAction(action: string, data: TemplateData): string {
  const [head, ...pipes] = action.split('|').map((p) => p.trim());
  let value: string | number;
  const label = /^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(head);
  if (label) value = data.labels[label[1]] ?? '';
  else if (head === '$value' || head === '.Value') value = data.value;
  else throw new TemplateError(`unsupported action {{ ${action} }}`);
  for (const fn of pipes) {
    const f = functions[fn];
    if (!f) throw new TemplateError(`function "${fn}" not defined`);
    const n = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'string' && (value.trim() === '' || Number.isNaN(n)))
      throw new TemplateError(`${fn}: cannot convert ${JSON.stringify(value)} to a number`);
    value = f(n);
  }
  return typeof value === 'number' ? goFloat(value) : value;
}

/** Expands one annotation or label template; a template error becomes Prometheus's error text. */
export function expandTemplate(text: string, data: TemplateData): string {
  try {
    return text
      .replace(/\s*\{\{-|-\}\}\s*/g, (m) => (m.includes('{{') ? '{{' : '}}'))
      .replace(/\{\{(.*?)\}\}/gs, (_m, action: string) => evalAction(action.trim(), data));
  } catch (err) {
    if (err instanceof TemplateError) return `<error expanding template: ${err.message}>`;
    throw err;
  }
}
