import type { DbBackendView, DbLockView } from './types.ts';

/**
 * The DB view's pure part (components/DbActivity.tsx): the order of the backends, the "blocking N" and
 * "waits for <pid>" labels from `pg_blocking_pids`, ages and statements as the table shows them.
 */

/** Blockers first (most waiters first), then the waiting ones, then the oldest transaction, then by pid. */
export function orderBackends(backends: readonly DbBackendView[]): DbBackendView[] {
  return [...backends].sort(
    (a, b) =>
      b.blocking.length - a.blocking.length ||
      Number(b.blockedBy.length > 0) - Number(a.blockedBy.length > 0) ||
      (b.xactAgeS ?? -1) - (a.xactAgeS ?? -1) ||
      a.pid - b.pid,
  );
}

const pidList = (pids: readonly number[]) => [...pids].sort((a, b) => a - b).join(', ');

/** `blocking 2 (4312, 4313)` for a backend others wait for, else null. */
export function blockingLabel(b: Pick<DbBackendView, 'blocking'>): string | null {
  return b.blocking.length ? `blocking ${b.blocking.length} (${pidList(b.blocking)})` : null;
}

/** `waits for 4311` (or `waits for 4311, 4312`) for a backend that waits for others, else null. */
export function waitsForLabel(b: Pick<DbBackendView, 'blockedBy'>): string | null {
  return b.blockedBy.length ? `waits for ${pidList(b.blockedBy)}` : null;
}

/** `Lock: transactionid`, `Client: ClientRead`, or `–` when it waits for nothing. */
export function waitLabel(b: Pick<DbBackendView, 'waitEventType' | 'waitEvent'>): string {
  if (!b.waitEventType && !b.waitEvent) return '–';
  if (!b.waitEventType) return b.waitEvent!;
  if (!b.waitEvent) return b.waitEventType;
  return `${b.waitEventType}: ${b.waitEvent}`;
}

/** Seconds as the table shows an age: `–` (none), `0.4 s`, `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function ageLabel(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, seconds);
  if (s < 10) return `${(Math.floor(s * 10) / 10).toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** A statement on one line (whitespace collapsed), cut at `max` characters with an ellipsis. */
export function shortStatement(query: string, max = 80): { text: string; truncated: boolean } {
  const line = query.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return { text: line, truncated: false };
  return { text: `${line.slice(0, max - 1).trimEnd()}…`, truncated: true };
}

/** Waiting locks first (they are the story), then by pid, relation and mode. */
export function orderLocks(locks: readonly DbLockView[]): DbLockView[] {
  return [...locks].sort(
    (a, b) =>
      Number(a.granted) - Number(b.granted) ||
      a.pid - b.pid ||
      (a.relation ?? '').localeCompare(b.relation ?? '') ||
      a.mode.localeCompare(b.mode),
  );
}

/** Each lock with a stable React key: its fields, and an occurrence count for the rare identical pair. */
export function keyedLocks(locks: readonly DbLockView[]): { key: string; lock: DbLockView }[] {
  const seen = new Map<string, number>();
  return locks.map((lock) => {
    const base = `${lock.pid}|${lock.locktype}|${lock.relation ?? ''}|${lock.mode}|${lock.granted ? 'g' : 'w'}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { key: n ? `${base}|${n}` : base, lock };
  });
}

/** `Locks (12, 3 waiting)` for the collapsed locks list. */
export function locksSummary(locks: readonly DbLockView[]): string {
  const waiting = locks.filter((l) => !l.granted).length;
  return `Locks (${locks.length}${waiting ? `, ${waiting} waiting` : ''})`;
}
