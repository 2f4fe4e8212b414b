import type { RunView, HintView, RunState } from '../protocol/run.ts';
import type { RunEvent, RunEventDataOf, RunEventType } from '../protocol/run-events.ts';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import type { KnobService } from '../scenarios/knobs.ts';
import { RunRefusal } from './run-refusal.ts';
import type { AlertmanagerNotification } from '../api/alertmanager-routes.ts';
import { type ActiveRun, newActiveRun, newRunRecord, resumedActiveRun } from './active-run.ts';
import { RunTimeline } from './run-timeline.ts';
import type { EventDraft } from './run-event-drafts.ts';
import { toResolution, toRunView } from './run-view.ts';
import type { CheckpointAnswerView, PageAckView } from '../protocol/views.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import { reapplyShopFault } from './shop-fault.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { reapplyRunConfig, restoreHealthy } from './run-recovery.ts';
import { admitStart, findScenario, scenarioLoad } from './run-admission.ts';
import { stepActiveRun, type TickContext } from './run-tick.ts';
import {
  type AnnotatedRun,
  gradeCheckpointAnswer,
  recordAlert,
  recordConfigChange,
  recordFixAction,
  recordNotification,
  recordPageAck,
  recordServiceEvent,
} from './run-annotations.ts';

/**
 * The run state machine: pending -> baseline -> injected -> resolved | abandoned | expired (aborted when the
 * baseline never holds). One run at a time. Judges the SLO on the simulated users' traffic as each second of it
 * is reported, and at least once a second; every transition is stored in PostgreSQL and pushed over the WebSocket.
 */
export class RunEngine {
  private readonly deps: RunEngineDeps;
  private run: ActiveRun | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private ticking = false;
  /** A second was reported while a tick ran: judge again once it ends, so that second is not left to the timer. */
  private tickAgain = false;
  private lastTickAt = 0;
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

  /** Under the lock, `fn` on the active run; nothing happens without one. */
  private withActiveRun(fn: (h: AnnotatedRun) => Promise<void>): Promise<void> {
    return this.exclusive(async () => {
      if (this.run) await fn(this.handle(this.run));
    });
  }

  /** Under the lock, `fn` on run `runId`; refused (`run_not_active`) unless it is the active run. */
  private withRun<T>(runId: string, fn: (h: AnnotatedRun) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const r = this.run;
      if (!r || r.rec.id !== runId) throw new RunRefusal('run_not_active', `run ${runId} is not active`);
      return fn(this.handle(r));
    });
  }

  /**
   * Ticks on every second the load generator reports, so a verdict follows the second that completes it by
   * milliseconds (on a free-running timer it waited up to a second more: a fix's "resolved" came 21-22 s after
   * it for a 20 s hold); and every `intervalMs` with no report (no load, a stalled generator) for hints and expiry.
   */
  startTicking(intervalMs = 1000): void {
    this.unsubscribe ??= this.deps.load.onSecond(() => void this.tick());
    this.timer ??= setInterval(() => {
      if (Date.now() - this.lastTickAt >= intervalMs - 50) void this.tick();
    }, intervalMs);
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
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

  start(body: ({ scenarioId: string } | { surprise: true; seed?: number }) & { onCall?: boolean }): Promise<RunView> {
    return this.exclusive(async () => {
      if (this.run)
        throw new RunRefusal('run_active', `a run is already active (${this.run.rec.id}); stop it or reset first`);
      const { surprise, seed, scenario, load } = admitStart(this.deps, body);
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
      await restoreHealthy(this.deps, 'reset').catch((err: Error) => {
        throw new RunRefusal(
          'shop_unavailable',
          `could not put the shop back to healthy: ${err.message}; reset again once every service is running`,
        );
      });
    });
  }

  /** Records a learner's config change on the active run (run-annotations.ts). */
  recordChange(
    service: KnobService,
    patch: Record<string, string | number | boolean>,
    changes: { key: string; from: unknown; to: unknown }[],
    who: string,
  ): Promise<void> {
    return this.withActiveRun((h) => recordConfigChange(h, service, patch, changes, who));
  }

  /** Records a learner's fix action on the active run; after the fault it counts (run-annotations.ts). */
  recordAction(a: ActionRecord, replaced?: string): Promise<void> {
    return this.withActiveRun((h) => recordFixAction(h, a, replaced));
  }

  /** Grades an answer to a checkpoint of the active run `runId` (run-annotations.ts). */
  answerCheckpoint(runId: string, checkpointId: string, answer: number | string): Promise<CheckpointAnswerView> {
    return this.withRun(runId, (h) => gradeCheckpointAnswer(h, checkpointId, answer));
  }

  /** Called by the hub's rule evaluator: an alert went pending, fired or resolved (run-annotations.ts). */
  alertEvent(a: AlertEventView): Promise<void> {
    return this.withActiveRun((h) => recordAlert(h, a));
  }

  /** Stack mode: Alertmanager delivered a notification (run-annotations.ts). */
  alertNotified(n: AlertmanagerNotification): Promise<void> {
    return this.withActiveRun((h) => recordNotification(h, n));
  }

  /** The learner acknowledges the page of the active run `runId` (run-annotations.ts). */
  acknowledgePage(runId: string): Promise<PageAckView> {
    return this.withRun(runId, (h) => recordPageAck(h));
  }

  /** Called by the supervisor: a SUT service crashed or came back (run-annotations.ts). */
  serviceEvent(type: 'service_crashed' | 'service_restarted', service: string, message: string): Promise<void> {
    return this.withActiveRun((h) => recordServiceEvent(h, type, service, message));
  }

  /** On boot: resume the run a previous orchestrator left active, or close it honestly. */
  resume(): Promise<void> {
    return this.exclusive(async () => {
      const rec = await this.deps.store.active();
      if (!rec) return;
      const scenario = findScenario(this.deps, rec.scenarioId);
      const events = await this.deps.store.events(rec.id);
      this.run = resumedActiveRun(rec, scenario, events, Date.now());
      if (!scenario) {
        await this.finish('aborted', `scenario "${rec.scenarioId}" no longer exists after the orchestrator restarted`);
        return;
      }
      await this.event('orchestrator_restarted', 'the orchestrator restarted; the run resumes', {});
      try {
        // The calibration may have changed while the orchestrator was down; a refused scenario is not resumed.
        this.run.load = scenarioLoad(this.deps, scenario);
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
    if (!this.run) return Promise.resolve();
    if (this.ticking) {
      this.tickAgain = true;
      return Promise.resolve();
    }
    this.ticking = true;
    this.lastTickAt = Date.now();
    return this.exclusive(() => this.step())
      .catch((err) => this.deps.log?.(`run tick failed: ${(err as Error).message}`))
      .finally(() => {
        this.ticking = false;
        if (this.tickAgain) {
          this.tickAgain = false;
          void this.tick();
        }
      });
  }

  /** One tick: the entries the database missed stored, then the judge's decision applied (run-tick.ts). */
  private async step(): Promise<void> {
    if (this.timeline.pending > 0) await this.timeline.flush();
    if (this.run) await stepActiveRun(this.handle(this.run));
  }

  /** The active run with the engine's own steps, as run-tick.ts and run-annotations.ts act on it. */
  private handle(run: ActiveRun): TickContext & AnnotatedRun {
    return {
      run,
      deps: this.deps,
      event: (type, message, data) => this.event(type, message, data),
      record: (draft) => this.record(draft),
      setState: (state) => this.setState(state),
      finish: (state, reason) => this.finish(state, reason),
    };
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
