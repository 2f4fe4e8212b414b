/**
 * What happened to one scheduled request:
 * - `ok`: a 2xx response;  `client`: a 4xx other than 429;  `rate_limited`: 429;  `server`: a 5xx;
 * - `timeout`: no complete response within the plan's timeoutMs (aborted by the generator);
 * - `connection`: the transport failed (refused, reset, closed before a complete response);
 * - `dropped`: never sent, because maxInFlight requests were already outstanding when it was due.
 * `ok`, `client`, `rate_limited` and `server` are the "completed" kinds: an HTTP response came back.
 */
export const outcomeKinds = ['ok', 'client', 'rate_limited', 'server', 'timeout', 'connection', 'dropped'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

export const completedKinds = ['ok', 'client', 'rate_limited', 'server'] as const satisfies readonly OutcomeKind[];

/** Classifies an HTTP status code (1xx and 3xx are not expected from the shop and count as client errors). */
export function outcomeOfStatus(status: number): OutcomeKind {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  return 'client';
}

export function isCompleted(kind: OutcomeKind): boolean {
  return kind === 'ok' || kind === 'client' || kind === 'rate_limited' || kind === 'server';
}

export type OutcomeCounts = Record<OutcomeKind, number>;

export function emptyOutcomeCounts(): OutcomeCounts {
  return { ok: 0, client: 0, rate_limited: 0, server: 0, timeout: 0, connection: 0, dropped: 0 };
}
