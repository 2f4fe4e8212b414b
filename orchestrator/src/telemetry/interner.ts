/**
 * One shared instance per distinct short string, for values that repeat across thousands of stored spans and
 * log lines (span names, scopes, `GET`, `127.0.0.1`, `request completed`). A Map rather than a library: what is
 * needed is a bounded table, cleared when full so that unique values (ids in URL paths) cannot grow it; a
 * cleared table only means later copies are not shared with earlier ones.
 */
export interface Interner {
  /** The table's instance of `s` (stored on first sight); `s` itself when longer than the interning limit. */
  (s: string): string;
  readonly size: number;
}

export function createInterner(opts: { maxEntries?: number; maxChars?: number } = {}): Interner {
  const maxEntries = opts.maxEntries ?? 8192;
  const maxChars = opts.maxChars ?? 64;
  const table = new Map<string, string>();
  const intern = (s: string): string => {
    if (s.length > maxChars) return s;
    const known = table.get(s);
    if (known !== undefined) return known;
    if (table.size >= maxEntries) table.clear();
    table.set(s, s);
    return s;
  };
  return Object.defineProperty(intern, 'size', { get: () => table.size }) as Interner;
}
