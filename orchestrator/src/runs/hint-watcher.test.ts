import { describe, expect, it } from 'vitest';
import { HintWatcher, type HintContext } from './hint-watcher.ts';
import type { ResolvedHint } from '../scenarios/scenario.ts';

const hints: ResolvedHint[] = [
  { id: 'time', text: 't', kind: 'after', afterSeconds: 60 },
  { id: 'idle', text: 'i', kind: 'no-change', seconds: 120 },
  { id: 'wrong-knob', text: 'w', kind: 'unrelated-change' },
  {
    id: 'queue',
    text: 'q',
    kind: 'signal',
    signal: 'gateway_pending',
    expr: 'sum(x)',
    op: '>',
    value: 5,
    forSeconds: 3,
  },
];

const ctx = (p: Partial<HintContext>, signal: number | null = 0): HintContext => ({
  sinceFault: 0,
  learnerChanges: 0,
  unrelatedChangeSeen: false,
  signal: async () => signal,
  ...p,
});
const ids = async (w: HintWatcher, c: HintContext) => (await w.due(c)).map((d) => d.hint.id);

describe('HintWatcher', () => {
  it('fires a timed hint once, when its time comes', async () => {
    const w = new HintWatcher(hints);
    expect(await ids(w, ctx({ sinceFault: 59 }))).toEqual([]);
    expect(await ids(w, ctx({ sinceFault: 60 }))).toEqual(['time']);
    expect(await ids(w, ctx({ sinceFault: 61 }))).toEqual([]);
  });

  it('fires a signal hint only after the condition held for its duration', async () => {
    const w = new HintWatcher(hints.filter((h) => h.id === 'queue'));
    expect(await ids(w, ctx({}, 9))).toEqual([]);
    expect(await ids(w, ctx({}, 9))).toEqual([]);
    expect(await ids(w, ctx({}, 2))).toEqual([]); // the streak breaks
    expect(await ids(w, ctx({}, 9))).toEqual([]);
    expect(await ids(w, ctx({}, 9))).toEqual([]);
    expect(await ids(w, ctx({}, 9))).toEqual(['queue']);
  });

  it('treats an unknown signal value as not crossing', async () => {
    const w = new HintWatcher(hints.filter((h) => h.id === 'queue'));
    for (let i = 0; i < 5; i++) expect(await ids(w, ctx({}, null))).toEqual([]);
  });

  it('reacts to learner behaviour', async () => {
    const w = new HintWatcher(hints.filter((h) => h.kind === 'no-change' || h.kind === 'unrelated-change'));
    expect(await ids(w, ctx({ sinceFault: 130, learnerChanges: 1 }))).toEqual([]);
    expect(await ids(w, ctx({ sinceFault: 130, learnerChanges: 1, unrelatedChangeSeen: true }))).toEqual([
      'wrong-knob',
    ]);
    expect(await ids(w, ctx({ sinceFault: 130 }))).toEqual(['idle']);
  });

  it('does not repeat hints already shown before a restart', async () => {
    const w = new HintWatcher(hints, ['time']);
    expect(await ids(w, ctx({ sinceFault: 100 }))).toEqual([]);
  });
});
