import type { ResolvedHint } from '../scenarios/scenario.ts';

export interface HintContext {
  /** Seconds since the fault was applied. */
  sinceFault: number;
  learnerChanges: number;
  unrelatedChangeSeen: boolean;
  /** Current value of a signal, or null when unknown (no data / hub unavailable). */
  signal(expr: string): Promise<number | null>;
}

/** Decides, once per tick, which of a run's hints are due; each hint fires at most once. */
export class HintWatcher {
  private readonly hints: ResolvedHint[];
  private readonly shown = new Set<string>();
  private readonly streaks = new Map<string, number>();

  constructor(hints: ResolvedHint[], alreadyShown: Iterable<string> = []) {
    this.hints = hints;
    for (const id of alreadyShown) this.shown.add(id);
  }

  async due(ctx: HintContext): Promise<{ hint: ResolvedHint; trigger: string }[]> {
    const out: { hint: ResolvedHint; trigger: string }[] = [];
    for (const h of this.hints) {
      if (this.shown.has(h.id)) continue;
      let trigger: string | null = null;
      if (h.kind === 'after' && ctx.sinceFault >= h.afterSeconds)
        trigger = `${h.afterSeconds} s after the incident started`;
      else if (h.kind === 'no-change' && ctx.learnerChanges === 0 && ctx.sinceFault >= h.seconds)
        trigger = `no change after ${h.seconds} s`;
      else if (h.kind === 'unrelated-change' && ctx.unrelatedChangeSeen)
        trigger = 'a knob unrelated to this incident was changed';
      else if (h.kind === 'signal') {
        const v = await ctx.signal(h.expr).catch(() => null);
        const hit = v !== null && (h.op === '>' ? v > h.value : v < h.value);
        const streak = hit ? (this.streaks.get(h.id) ?? 0) + 1 : 0;
        this.streaks.set(h.id, streak);
        if (streak >= h.forSeconds)
          trigger = `${h.signal} ${h.op} ${h.value} for ${h.forSeconds} s (now ${v!.toFixed(1)})`;
      }
      if (trigger) {
        this.shown.add(h.id);
        out.push({ hint: h, trigger });
      }
    }
    return out;
  }
}
