import { describe, expect, it, vi } from 'vitest';
import type { LoadGenerator } from '../load/index.ts';
import { Calibrator, configured, remeasureAfterMs } from './calibrator.ts';
import type { Calibration } from './calibration-file.ts';

/** A calibrator holding `current`, whose probe is replaced by a counter (the probe itself: probe.test.ts). */
function calibratorWith(current: Calibration | null, o: { mode?: 'auto' | 'off'; runActive?: boolean } = {}) {
  const cal = new Calibrator({
    load: {} as LoadGenerator,
    mode: o.mode ?? 'auto',
    file: null,
    runActive: () => o.runActive ?? false,
  });
  Object.assign(cal, { current });
  const measure = vi.fn(async () => current);
  cal.measure = measure;
  return { cal, measure };
}

const probed = (capacityRps: number): Calibration => ({ ...configured(capacityRps), source: 'probe' });

describe('Calibrator.remeasureIfUnusable', () => {
  it('measures again when the probe measured nothing, at most once a minute', () => {
    const { cal, measure } = calibratorWith(probed(0));
    const t0 = Date.now();
    expect(cal.remeasureIfUnusable(t0)).toBe(true);
    expect(measure).toHaveBeenCalledTimes(1);
    expect(cal.remeasureIfUnusable(t0 + remeasureAfterMs - 1)).toBe(false);
    expect(cal.remeasureIfUnusable(t0 + remeasureAfterMs)).toBe(true);
    expect(measure).toHaveBeenCalledTimes(2);
  });

  it('leaves a usable figure, an operator-configured one, calibration off, and a running learner alone', () => {
    for (const { cal, measure } of [
      calibratorWith(probed(274)),
      calibratorWith(configured(0)),
      calibratorWith(null),
      calibratorWith(probed(0), { mode: 'off' }),
      calibratorWith(probed(0), { runActive: true }),
    ]) {
      expect(cal.remeasureIfUnusable()).toBe(false);
      expect(measure).not.toHaveBeenCalled();
    }
  });
});
