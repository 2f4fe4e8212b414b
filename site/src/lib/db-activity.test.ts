import { describe, expect, it } from 'vitest';
import type { DbBackendView, DbLockView } from './types.ts';
import {
  ageLabel,
  blockingLabel,
  keyedLocks,
  locksSummary,
  orderBackends,
  orderLocks,
  shortStatement,
  waitLabel,
  waitsForLabel,
} from './db-activity.ts';

const backend = (pid: number, over: Partial<DbBackendView> = {}): DbBackendView => ({
  pid,
  application: 'api',
  user: 'shop',
  state: 'idle',
  waitEventType: null,
  waitEvent: null,
  xactAgeS: null,
  queryAgeS: null,
  query: '',
  blockedBy: [],
  blocking: [],
  ...over,
});
const lock = (pid: number, granted: boolean, relation: string | null = 'public.orders', mode = 'RowExclusiveLock') =>
  ({ pid, locktype: relation ? 'relation' : 'transactionid', relation, mode, granted }) as DbLockView;

describe('the DB view', () => {
  it('puts blockers first (most waiters first), then waiting backends, then the oldest transaction, then pid', () => {
    const rows = orderBackends([
      backend(10),
      backend(11, { xactAgeS: 3 }),
      backend(12, { blockedBy: [20] }),
      backend(13, { xactAgeS: 400 }),
      backend(20, { blocking: [12], xactAgeS: 1 }),
      backend(21, { blocking: [12, 30], xactAgeS: 0.5 }),
      backend(9),
    ]);
    expect(rows.map((r) => r.pid)).toEqual([21, 20, 12, 13, 11, 9, 10]);
  });

  it('labels who blocks whom with the pids, sorted', () => {
    expect(blockingLabel(backend(1, { blocking: [4313, 4312] }))).toBe('blocking 2 (4312, 4313)');
    expect(blockingLabel(backend(1))).toBeNull();
    expect(waitsForLabel(backend(1, { blockedBy: [4311] }))).toBe('waits for 4311');
    expect(waitsForLabel(backend(1, { blockedBy: [9, 4] }))).toBe('waits for 4, 9');
    expect(waitsForLabel(backend(1))).toBeNull();
  });

  it('shows the wait as type and event, either alone, or a dash', () => {
    expect(waitLabel(backend(1, { waitEventType: 'Lock', waitEvent: 'transactionid' }))).toBe('Lock: transactionid');
    expect(waitLabel(backend(1, { waitEventType: 'Client' }))).toBe('Client');
    expect(waitLabel(backend(1, { waitEvent: 'ClientRead' }))).toBe('ClientRead');
    expect(waitLabel(backend(1))).toBe('–');
  });

  it('writes ages in seconds, minutes or hours', () => {
    expect([null, undefined, Number.NaN].map(ageLabel)).toEqual(['–', '–', '–']);
    expect(ageLabel(0.46)).toBe('0.4 s');
    expect(ageLabel(-2)).toBe('0.0 s');
    expect(ageLabel(42.9)).toBe('42 s');
    expect(ageLabel(185)).toBe('3 min 05 s');
    expect(ageLabel(3725)).toBe('1 h 02 min');
  });

  it('cuts a statement to one line and a length, saying when it did', () => {
    expect(shortStatement('SELECT  1\n  FROM t')).toEqual({ text: 'SELECT 1 FROM t', truncated: false });
    const long = `UPDATE products SET stock = stock - 1 WHERE id = ${'9'.repeat(80)}`;
    const s = shortStatement(long, 40);
    expect(s.truncated).toBe(true);
    expect(s.text).toHaveLength(40);
    expect(s.text.endsWith('…')).toBe(true);
    expect(shortStatement('x'.repeat(40), 40).truncated).toBe(false);
  });

  it('lists waiting locks first and counts them', () => {
    const locks = [lock(2, true), lock(1, true, null, 'ExclusiveLock'), lock(3, false), lock(1, true)];
    expect(orderLocks(locks).map((l) => [l.pid, l.granted, l.relation])).toEqual([
      [3, false, 'public.orders'],
      [1, true, null],
      [1, true, 'public.orders'],
      [2, true, 'public.orders'],
    ]);
    expect(locksSummary(locks)).toBe('Locks (4, 1 waiting)');
    expect(locksSummary([lock(1, true)])).toBe('Locks (1)');
    expect(locksSummary([])).toBe('Locks (0)');
    const keys = keyedLocks([lock(1, true), lock(1, true), lock(1, false)]).map((k) => k.key);
    expect(new Set(keys).size).toBe(3);
  });
});
