import { rawRequest } from '../sut/common/test/helpers/http.ts';
import { expect } from 'vitest';

/** One answer, with the path sent exactly as given (fetch would normalise `..` and `%2e` away). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: any;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const headers = {
    ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
    ...opts.headers,
  };
  const r = await rawRequest(baseUrl, method, path, { headers, body: opts.body });
  return { status: r.status, headers: r.headers, text: r.body, json: r.json };
}

/** A 4xx (the given one when named) whose JSON body says why. */
export function expectRefused(a: Answer, status?: number): void {
  const why = `${a.status} ${a.text.slice(0, 300)}`;
  if (status !== undefined) expect(a.status, why).toBe(status);
  expect(a.status, why).toBeGreaterThanOrEqual(400);
  expect(a.status, why).toBeLessThan(500);
  // The router refuses an over-long path parameter (414) before the app's error handler, in fastify's own shape.
  const reason = a.status === 414 ? a.json?.message : a.json?.error?.message;
  expect(reason, why).toEqual(expect.stringMatching(/\w/));
}

/** `[[[[…1…]]]]`, `depth` levels deep. */
export const deepArray = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);
/** `{"a":{"a":…}}`, `depth` levels deep. */
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Strings that must stay text: SQL, traversal, control and format characters, very long. */
export const hostileStrings = {
  sql: "1' OR '1'='1'; DROP TABLE shop.orders; --",
  traversal: '../../../../etc/passwd',
  encodedTraversal: '..%2F..%2F..%2Fetc%2Fpasswd',
  nul: 'a\u0000b',
  long: 'x'.repeat(20_000),
  format: '%s%n%x{{7*7}}${7*7}',
};

/**
 * Body cases every JSON write endpoint must refuse with a 4xx and a reason. `valid` is a correct body (used
 * for the near-miss cases); `limit` the largest accepted body in bytes.
 */
export function malformedBodies(
  valid: Record<string, unknown>,
  limit = 64 * 1024,
): [name: string, body: string, status?: number][] {
  const key = Object.keys(valid)[0];
  return [
    ['malformed JSON (truncated)', JSON.stringify(valid).slice(0, -3), 400],
    ['malformed JSON (single quotes)', `{'${key}': 1}`, 400],
    ['malformed JSON (NaN)', `{"${key}": NaN}`, 400],
    ['not an object (array)', JSON.stringify([valid])],
    ['not an object (string)', '"hello"'],
    ['not an object (null)', 'null'],
    ['unknown key', JSON.stringify({ ...valid, isAdmin: true })],
    ['prototype pollution (__proto__)', `{"__proto__": {"polluted": true}, "${key}": ${JSON.stringify(valid[key])}}`],
    ['prototype pollution (constructor)', JSON.stringify({ ...valid, constructor: { prototype: { polluted: true } } })],
    ['deeply nested array', JSON.stringify({ ...valid, [key]: 0 }).replace('0', deepArray(5_000))],
    ['deeply nested object', JSON.stringify({ ...valid, [key]: 0 }).replace('0', deepObject(5_000))],
    ['very long key', JSON.stringify({ ...valid, ['k'.repeat(20_000)]: 1 })],
    ['very long string value', JSON.stringify({ ...valid, [key]: hostileStrings.long })],
    ['SQL-looking value', JSON.stringify({ ...valid, [key]: hostileStrings.sql })],
    ['body over the limit', JSON.stringify({ ...valid, pad: 'x'.repeat(limit + 1024) }), 413],
  ];
}
