/**
 * One shared, flat copy per distinct string, for strings that outlive what they were read from and repeat across a
 * store: metric names and help texts, span names, scopes, short attribute values, log messages.
 *
 * The copy matters as much as the sharing. V8 keeps a substring (a regex match, a split line) as a slice of its
 * parent, so a kept metric name held its whole scrape alive (~80 MB of exemplars once; docs/performance.md); and
 * protobufjs 8 builds each proto3 string under 64 bytes by appending 8 characters at a time, which V8 keeps as a
 * chain of pieces (~250 bytes for a 40-character attribute instead of ~56). A copy through a Buffer is one flat
 * string.
 *
 * A Map rather than a library: what is needed is a bounded table, cleared when full so that unique values (ids in
 * URL paths) cannot grow it; a cleared table only means later copies are not shared with earlier ones.
 */
export interface Interner {
  /** The table's copy of `s`; `s` itself when longer than `maxChars`. */
  (s: string): string;
  readonly size: number;
}

export function createInterner(opts: { maxEntries?: number; maxChars?: number } = {}): Interner {
  const maxEntries = opts.maxEntries ?? 8192;
  const maxChars = opts.maxChars ?? 64;
  const table = new Map<string, string>();
  const intern = (s: string): string => {
    if (s.length > maxChars) return s;
    let copy = table.get(s);
    if (copy !== undefined) return copy;
    if (table.size >= maxEntries) table.clear();
    copy = Buffer.from(s, 'utf8').toString('utf8');
    table.set(copy, copy);
    return copy;
  };
  return Object.defineProperty(intern, 'size', { get: () => table.size }) as Interner;
}
