import type { RunEvent } from '../protocol/run-events.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import type { RunStore } from '../store/run-store.ts';
import type { ActiveRun } from './active-run.ts';
import type { EventDraft } from './run-event-drafts.ts';

/**
 * Writes a run's timeline: numbers each entry, pushes it to the learner first, then stores it. While the database
 * is down (PostgreSQL crashed and is coming back) stored entries wait here, in order, and go in with the next
 * entry or tick, so a crash's own timeline entry is kept.
 */
export class RunTimeline {
  readonly #store: Pick<RunStore, 'addEvent'>;
  readonly #emit: (msg: ServerMessage) => void;
  readonly #log: (msg: string) => void;
  /** Events pushed to the learner but not yet in the store. */
  readonly #unstored: RunEvent[] = [];

  constructor(store: Pick<RunStore, 'addEvent'>, emit: (msg: ServerMessage) => void, log?: (msg: string) => void) {
    this.#store = store;
    this.#emit = emit;
    this.#log = log ?? (() => {});
  }

  get pending(): number {
    return this.#unstored.length;
  }

  async record(run: ActiveRun, draft: EventDraft): Promise<void> {
    const e: RunEvent = { runId: run.rec.id, seq: run.events.length + 1, at: Date.now(), ...draft };
    run.events.push(e);
    this.#emit({ type: 'event', event: e });
    this.#unstored.push(e);
    await this.flush();
  }

  /** Writes the entries not stored yet, in order; on failure keeps them for the next try. */
  async flush(): Promise<void> {
    try {
      while (this.#unstored.length > 0) {
        await this.#store.addEvent(this.#unstored[0]);
        this.#unstored.shift();
      }
    } catch (err) {
      this.#log(
        `${this.#unstored.length} run event(s) not stored yet, kept for the next try: ${(err as Error).message}`,
      );
    }
  }
}
