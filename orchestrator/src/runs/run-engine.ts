import type { RunView, HintView, RunState } from '../protocol/run.ts';
import type { RunEvent, RunEventDataOf, RunEventType } from '../protocol/run-events.ts';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { KnobService } from '../scenarios/knobs.ts';
import { RunRefusal } from './run-refusal.ts';
import type { AlertmanagerNotification } from '../api/alertmanager-routes.ts';
import { pickSurprise } from './surprise.ts';
import { type ActiveRun, countFixAttempt, newActiveRun, newRunRecord, resumedActiveRun } from './active-run.ts';
import { RunTimeline } from './run-timeline.ts';
import {
  acknowledgementDraft,
  alertDraft,
  checkpointDraft,
  type EventDraft,
  notificationDraft,
} from './run-event-drafts.ts';
import { toResolution, toRunView } from './run-view.ts';
import { CapacityRefusal, effectiveLoad, type EffectiveLoad } from '../calibration/effective-load.ts';
import type { CheckpointAnswerView, PageAckView } from '../protocol/views.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import { applyShopFault, reapplyShopFault, shopFaultRefusal } from './shop-fault.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { reapplyRunConfig, restoreHealthy } from './run-recovery.ts';
import { judgeActiveRun, verdictFigures } from './judge-active-run.ts';

/**
 * The run state machine: pending -> baseline -> injected -> resolved | abandoned | expired (aborted when the
 * baseline never holds). One run at a time. Ticks once a second, judging the SLO on the simulated users'
 * traffic; every transition is stored in PostgreSQL and pushed over the WebSocket.
 */
export class RunEngine {
  private readonly deps: RunEngineDeps;
  private run: ActiveRun | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private readonly timeline: RunTimeline;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(deps: RunEngineDeps) {
    this.deps = deps;
    this.timeline = new RunTimeline(deps.store, deps.emit, deps.log);
  }

  /** Serializes commands (start, stop, reset, changes) with the tick, so the state machine never races. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  startTicking(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.tick(), intervalMs);
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.exclusive(async () => {
      await this.deps.load.stop();
    });
  }

  activeView(): RunView | null {
    return this.run ? toRunView(this.run.rec, this.run.scenario, this.run) : null;
  }

  activeEvents(): RunEvent[] {
    return this.run?.events ?? [];
  }

  activeHints(): HintView[] {
    return this.run?.hints ?? [];
  }

  /** The scenario's load here; a scenario this machine cannot run honestly is refused (beyond_capacity). */
  private loadFor(scenario: Scenario): EffectiveLoad {
    try {
      return this.deps.loadFor ? this.deps.loadFor(scenario) : effectiveLoad(scenario, null);
    } catch (err) {
      if (err instanceof CapacityRefusal) throw new RunRefusal('beyond_capacity', err.message);
      throw err;
    }
  }

  private scenario(id: string): Scenario | undefined {
    return this.deps.scenarios().find((s) => s.id === id);
  }

  start(body: ({ scenarioId: string } | { surprise: true; seed?: number }) & { onCall?: boolean }): Promise<RunView> {
    return this.exclusive(async () => {
      if (this.run)
        throw new RunRefusal('run_active', `a run is already active (${this.run.rec.id}); stop it or reset first`);
      const surprise = 'surprise' in body;
      const seed = surprise ? (body.seed ?? Math.floor(Math.random() * 2 ** 31)) : null;
      const id = surprise
        ? pickSurprise(
            this.deps.scenarios().map((s) => s.id),
            seed!,
          )
        : body.scenarioId;
      const scenario = this.scenario(id);
      if (!scenario) throw new RunRefusal('unknown_scenario', `unknown scenario "${id}"`);
      const load = this.loadFor(scenario);
      const unavailable = shopFaultRefusal(scenario, this.deps.actions);
      if (unavailable) throw new RunRefusal('not_available', unavailable);
      const now = Date.now();
      const rec = newRunRecord(scenario.id, { surprise, seed, onCall: body.onCall ?? false }, now);
      await this.deps.store.create(rec);
      this.run = newActiveRun(rec, scenario, load, now);
      await this.event(
        'started',
        `${surprise ? `surprise run started (seed ${seed})` : `run of "${scenario.spec.title}" started`}${rec.onCall ? ', on call: the page announces the incident' : ''}`,
        { seed, onCall: rec.onCall, load: load.figures },
      );
      try {
        await restoreHealthy(this.deps, 'orchestrator');
        await this.deps.load.stop();
        this.deps.load.start(load.baseline);
      } catch (err) {
        await this.finish('aborted', `could not prepare the system: ${(err as Error).message}`);
        throw new RunRefusal('start_failed', `could not start the run: ${(err as Error).message}`);
      }
      this.run.baselineSince = Date.now();
      await this.setState('baseline');
      return this.activeView()!;
    });
  }

  stop(id: string): Promise<RunView> {
    return this.exclusive(async () => {
      if (!this.run || this.run.rec.id !== id) {
        const past = await this.deps.store.get(id);
        if (!past) throw new RunRefusal('not_found', `no run ${id}`);
        throw new RunRefusal('run_not_active', `run ${id} is not active (${past.state})`);
      }
      const view = await this.finish('abandoned', 'stopped by the learner');
      return view;
    });
  }

  /** Abandons any active run, stops the load, and restores every knob and DB state to healthy defaults. */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      if (this.run) await this.finish('abandoned', 'reset by the learner');
      await this.deps.load.stop();
      await restoreHealthy(this.deps, 'reset');
    });
  }

  /** Records a learner's config change on the active run (the API forwarded it to the service). */
  recordChange(
    service: KnobService,
    patch: Record<string, string | number | boolean>,
    changes: { key: string; from: unknown; to: unknown }[],
    who: string,
  ): Promise<void> {
    return this.exclusive(async () => {
      if (!this.run || changes.length === 0) return;
      const r = this.run;
      const injected = r.rec.state === 'injected';
      if (injected) {
        const related = changes.every((c) => r.scenario.relevantKnobs.has(`${service}.${c.key}`));
        countFixAttempt(r, related, Date.now());
      }
      const text = changes
        .map((c) => `${service}.${c.key} ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`)
        .join(', ');
      await this.event('config_changed', `${who} changed ${text}`, { service, patch, changes, who, counted: injected });
    });
  }

  /**
   * Records a learner's fix action (a restart, a rollout, a job stopped, a backend terminated) on the active run.
   * After the fault it counts like a config change: the judge's hold starts again from it. A restart or a rollout
   * brings a process up on defaults: `replaced` names the service whose run config (the incident's and the
   * learner's changes) is put back, as after a crash.
   */
  recordAction(a: ActionRecord, replaced?: string): Promise<void> {
    return this.exclusive(async () => {
      const r = this.run;
      if (!r) return;
      const injected = r.rec.state === 'injected';
      if (injected) {
        countFixAttempt(r, r.scenario.relevantActions.has(a.action), Date.now());
        if (replaced) await reapplyRunConfig(this.deps, r, replaced);
      }
      await this.event('action_taken', `${a.who === 'learner' ? 'learner' : a.who}: ${a.summary}`, {
        action: a.action,
        target: a.target,
        who: a.who,
        counted: injected,
      });
    });
  }

  answerCheckpoint(runId: string, checkpointId: string, answer: number | string): Promise<CheckpointAnswerView> {
    return this.exclusive(async () => {
      const r = this.run;
      if (!r || r.rec.id !== runId) throw new RunRefusal('run_not_active', `run ${runId} is not active`);
      const cp = r.scenario.spec.checkpoints.find((c) => c.id === checkpointId);
      if (!cp) throw new RunRefusal('not_found', `unknown checkpoint "${checkpointId}"`);
      const graded = checkpointDraft(cp, answer);
      const { correct } = graded.data;
      if (correct && r.rec.injectedAt !== null && r.rec.stageTimes[cp.stage] === null) {
        r.rec.stageTimes[cp.stage] = (Date.now() - r.rec.injectedAt) / 1000;
        await this.deps.store.update(r.rec);
      }
      await this.record(graded);
      return { correct, explanation: correct ? cp.explanation : '', stage: cp.stage };
    });
  }

  /**
   * Called by the hub's rule evaluator: an alert went pending, fired or resolved. Recorded on the active run's
   * timeline (the postmortem shows when the burn was seen, when the learner was paged and when it ended); an
   * alert that goes inactive from pending never fired and ends nothing.
   */
  alertEvent(a: AlertEventView): Promise<void> {
    return this.exclusive(async () => {
      const draft = alertDraft(a);
      if (this.run && draft) await this.record(draft);
    });
  }

  /**
   * Stack mode: Alertmanager delivered a notification (after its grouping and inhibition). Recorded on the active
   * run's timeline beside the rule's own firing, so the postmortem shows how long delivery took.
   */
  alertNotified(n: AlertmanagerNotification): Promise<void> {
    return this.exclusive(async () => {
      if (this.run) await this.record(notificationDraft(n));
    });
  }

  /**
   * The learner acknowledges the page (which pages, and TTA from when: `acknowledgementDraft`); refused
   * (`no_page`) when nothing paged.
   */
  acknowledgePage(runId: string): Promise<PageAckView> {
    return this.exclusive(async () => {
      const r = this.run;
      if (!r || r.rec.id !== runId) throw new RunRefusal('run_not_active', `run ${runId} is not active`);
      const ack = acknowledgementDraft(r.events, Date.now());
      await this.record(ack);
      return ack.data;
    });
  }

  /** Called by the supervisor: a SUT service crashed or came back. */
  serviceEvent(type: 'service_crashed' | 'service_restarted', service: string, message: string): Promise<void> {
    return this.exclusive(async () => {
      if (!this.run) return;
      await this.event(type, message, { service });
      if (type === 'service_restarted' && this.run.rec.state === 'injected')
        await reapplyRunConfig(this.deps, this.run, service);
    });
  }

  /** On boot: resume the run a previous orchestrator left active, or close it honestly. */
  resume(): Promise<void> {
    return this.exclusive(async () => {
      const rec = await this.deps.store.active();
      if (!rec) return;
      const scenario = this.scenario(rec.scenarioId);
      const events = await this.deps.store.events(rec.id);
      this.run = resumedActiveRun(rec, scenario, events, Date.now());
      if (!scenario) {
        await this.finish('aborted', `scenario "${rec.scenarioId}" no longer exists after the orchestrator restarted`);
        return;
      }
      await this.event('orchestrator_restarted', 'the orchestrator restarted; the run resumes', {});
      try {
        // The calibration may have changed while the orchestrator was down; a refused scenario is not resumed.
        this.run.load = this.loadFor(scenario);
        if (rec.state === 'injected') {
          await reapplyRunConfig(this.deps, this.run);
          await reapplyShopFault(this.run, this.deps.actions);
          this.deps.load.start(this.run.load.fault ?? this.run.load.baseline);
        } else {
          await restoreHealthy(this.deps, 'orchestrator');
          this.deps.load.start(this.run.load.baseline);
          await this.setState('baseline');
        }
      } catch (err) {
        await this.finish('aborted', `could not resume after restart: ${(err as Error).message}`);
      }
    });
  }

  private tick(): Promise<void> {
    if (this.ticking || !this.run) return Promise.resolve();
    this.ticking = true;
    return this.exclusive(() => this.step())
      .catch((err) => this.deps.log?.(`run tick failed: ${(err as Error).message}`))
      .finally(() => {
        this.ticking = false;
      });
  }

  /** One tick: the judge decides (run-judge.ts), the engine applies the decision. */
  private async step(): Promise<void> {
    if (this.timeline.pending > 0) await this.timeline.flush();
    const r = this.run;
    if (!r) return;
    const now = Date.now();
    const { spec } = r.scenario;
    const slo = spec.slo;
    const decision = judgeActiveRun(r, this.deps.load, this.deps.baselineGraceSeconds ?? 20, now);
    switch (decision.kind) {
      case 'wait':
        return;
      case 'baseline_unhealthy':
        r.verdict = decision.verdict;
        r.sloMet = false;
        return;
      case 'baseline_ok': {
        const { verdict: v } = decision;
        r.verdict = v;
        r.sloMet = true;
        const figures = verdictFigures(v, slo.latencyPercentile);
        await this.event('baseline_ok', `baseline healthy for ${decision.seconds} s: ${figures}`, { ...v });
        await this.inject();
        return;
      }
      case 'baseline_failed': {
        const { verdict: v } = decision;
        r.verdict = v;
        r.sloMet = false;
        const reasons = v.reasons.join('; ');
        await this.event('baseline_failed', `the system was not healthy before the fault: ${reasons}`, { ...v });
        await this.finish('aborted', `system not healthy at baseline (${reasons})`);
        return;
      }
    }
    const { verdict, sinceFault, change, end } = decision;
    r.verdict = verdict;
    if (change?.to === 'breached') {
      if (change.first) {
        r.rec.breachedAt = now;
        await this.deps.store.update(r.rec);
      }
      await this.event('slo_breached', `SLO breached: ${verdict.reasons.join('; ')}`, { ...verdict, sinceFault });
    } else if (change?.to === 'recovered') {
      await this.event('slo_recovered', 'SLO holds again over its window', { ...verdict });
    }
    r.sloMet = verdict.met;
    this.deps.emit({ type: 'run', run: this.activeView()! });
    await this.showDueHints(r, sinceFault);
    if (end?.state === 'resolved') {
      r.rec.stageTimes.fix = end.fixSeconds;
      const figures = verdictFigures(end.hold, slo.latencyPercentile);
      await this.finish('resolved', `SLO held for ${slo.holdSeconds} s after the change: ${figures}`);
    } else if (end?.state === 'expired') {
      await this.finish('expired', `not resolved within ${spec.expiresAfterSeconds} s`);
    }
  }

  private async showDueHints(r: ActiveRun, sinceFault: number): Promise<void> {
    for (const { hint, trigger } of await r.watcher.due({
      sinceFault,
      learnerChanges: r.learnerChanges,
      unrelatedChangeSeen: r.unrelatedChangeSeen,
      signal: this.deps.signal ?? (async () => null),
    })) {
      const view: HintView = { id: hint.id, runId: r.rec.id, at: Date.now(), text: hint.text, trigger };
      r.hints.push(view);
      this.deps.emit({ type: 'hint', hint: view });
      await this.event('hint_shown', hint.text, { hintId: hint.id, text: hint.text, trigger });
    }
  }

  private async inject(): Promise<void> {
    const r = this.run!;
    try {
      const applied = await this.deps.control.applyState(r.scenario.faultConfig, 'scenario');
      await applyShopFault(r.scenario, this.deps.actions);
      if (r.load?.fault) this.deps.load.setPlan(r.load.fault);
      r.rec.injectedAt = Date.now();
      r.sloMet = true;
      await this.setState('injected');
      // The timeline and the hint feed never name the fault: that is what the learner is there to find (the
      // change log shows its change as a team would log it). The postmortem names it once the run is over.
      await this.event(
        'fault_applied',
        'the incident has started',
        r.rec.surprise ? {} : { changes: applied.flatMap((a) => a.changes) },
      );
    } catch (err) {
      await this.finish('aborted', `could not apply the fault: ${(err as Error).message}`);
    }
  }

  private async setState(state: RunState): Promise<void> {
    this.run!.rec.state = state;
    await this.deps.store.update(this.run!.rec);
    this.deps.emit({ type: 'run', run: this.activeView()! });
  }

  private async finish(state: 'resolved' | 'abandoned' | 'expired' | 'aborted', reason: string): Promise<RunView> {
    const r = this.run!;
    r.rec.state = state;
    r.rec.reason = reason;
    r.rec.endedAt = Date.now();
    await this.deps.store.update(r.rec);
    await this.event(state, reason, {});
    const view = toRunView(r.rec, r.scenario, r);
    this.deps.emit({ type: 'run', run: view });
    this.deps.emit(toResolution(r.rec, r.scenario, state, reason));
    this.run = null;
    await this.deps.load.stop();
    return view;
  }

  private event<T extends RunEventType>(type: T, message: string, data: RunEventDataOf<T>): Promise<void> {
    // The cast: TypeScript cannot see that {type: T, data: RunEventDataOf<T>} is one member of the union.
    return this.record({ type, message, data } as EventDraft);
  }

  private record(draft: EventDraft): Promise<void> {
    return this.timeline.record(this.run!, draft);
  }
}
