/**
 * Reading the SUT's exposition (OpenMetrics: exemplars after ` # `, a final `# EOF`) in tests. Hand-written: only sample lookup by name and labels is needed,
 * and the SUT's output is checked for format separately by promtool (metrics-promtool.test.ts).
 */
export type Labels = Record<string, string>;

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    // An exemplar (` # {trace_id="…"} value timestamp`) is not part of the sample.
    const m = sampleLine.exec(line.replace(/ # \{.*$/, ''));
    if (!m) continue;
    const labels: Labels = {};
    for (const l of (m[2] ?? '').matchAll(labelPair)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Samples of `name` whose labels include `labels`. */
export function samples(text: string, name: string, labels: Labels = {}): Sample[] {
  return parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The value of the one sample of `name` matching `labels`; undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Labels = {}): number | undefined {
  const found = samples(text, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}`);
  return res.text();
}

/**
 * Runs `work` while scraping `baseUrl` back to back, and returns the work's result with the highest value
 * `name{labels}` had in any scrape (a gauge rising under load and falling after it).
 */
export async function maxDuring<T>(
  baseUrl: string,
  name: string,
  labels: Labels,
  work: () => Promise<T>,
): Promise<{ result: T; max: number }> {
  let max = -Infinity;
  let done = false;
  const poll = (async () => {
    while (!done) {
      const v = sampleValue(await scrape(baseUrl), name, labels);
      if (v !== undefined) max = Math.max(max, v);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    const result = await work();
    return { result, max };
  } finally {
    done = true;
    await poll;
  }
}
