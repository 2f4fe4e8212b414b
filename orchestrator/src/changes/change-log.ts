import type { ChangeEntry } from '../protocol/changes.ts';
import type { KnobService } from '../scenarios/knobs.ts';

/** Knobs that are a release of the service's code, not a setting: a change of one is a deploy. */
export const releaseKnobs: ReadonlySet<string> = new Set(['pricingVersion', 'release']);

/** Entries kept: a lesson's worth of changes many times over; the oldest go first. */
export const changeLogCap = 500;

export type Change = ChangeEntry['changes'][number];

/**
 * Who a change is shown as made by. A fault's own change appears as real teams log it (the release pipeline
 * shipping a version, the platform team pushing config), never as "fault applied": the learner correlates the
 * change log with the metrics, as on-call does. An incident that is not a change (traffic, data) logs nothing.
 */
function author(who: string): string {
  if (who === 'learner') return 'you';
  if (who === 'scenario') return 'platform-team';
  return 'observastack';
}

function describe(
  kind: ChangeEntry['kind'],
  who: string,
  service: KnobService,
  changes: Change[],
  note?: string,
): string {
  if (kind === 'deploy') {
    const c = changes[0];
    return `${service} release ${String(c.to)} rolled out (was ${String(c.from)})${note ? `: ${note}` : ''}`;
  }
  if (who === 'orchestrator') return `${service} config restored to the lesson's baseline`;
  return `${service} config push: ${changes.map((c) => c.key).join(', ')}`;
}

/** The shop's change log: deploys and config pushes, newest first, bounded (changeLogCap). */
export class ChangeLog {
  private readonly entries: ChangeEntry[] = [];
  private nextId = 1;

  /** Records what one config write (or rollout) changed; a release becomes its own deploy entry, with its note. */
  record(service: KnobService, who: string, changes: Change[], at = Date.now(), note?: string): void {
    if (changes.length === 0) return;
    const releases = changes.filter((c) => releaseKnobs.has(c.key));
    const settings = changes.filter((c) => !releaseKnobs.has(c.key));
    for (const r of releases)
      this.push(
        { at, service, kind: 'deploy', by: who === 'scenario' ? 'release-pipeline' : author(who), changes: [r] },
        who,
        note,
      );
    if (settings.length) this.push({ at, service, kind: 'config', by: author(who), changes: settings }, who);
  }

  list(limit = 50): ChangeEntry[] {
    return this.entries.slice(-limit).reverse();
  }

  private push(e: Omit<ChangeEntry, 'id' | 'summary'>, who: string, note?: string): void {
    this.entries.push({ id: this.nextId++, ...e, summary: describe(e.kind, who, e.service, e.changes, note) });
    if (this.entries.length > changeLogCap) this.entries.splice(0, this.entries.length - changeLogCap);
  }
}
