import { describe, expect, it } from 'vitest';
import { describeLoad } from './format.ts';
import type { LoadFiguresView } from './types.ts';

const figures = (o: Partial<LoadFiguresView>): LoadFiguresView => ({
  source: 'probe',
  capacityRps: 538,
  measuredAt: Date.UTC(2026, 11, 3, 12),
  baselineRps: 80,
  baselineReferenceRps: 80,
  baselineShare: 80 / 538,
  faultRps: 1000,
  faultReferenceRps: 1000,
  overload: 1000 / 538,
  ...o,
});

describe('describeLoad', () => {
  it('names the machine, the baseline share and the incident load', () => {
    expect(describeLoad(figures({}))).toMatch(
      /^This machine: 538 req\/s \(measured (3 Dec|Dec 3)\) · baseline 80 req\/s \(15 % of it\) · incident load 1000 req\/s \(1\.9×\)$/,
    );
  });
  it('says when the baseline was lowered, and that a configured capacity was not measured', () => {
    expect(
      describeLoad(
        figures({
          source: 'configured',
          capacityRps: 196,
          baselineRps: 98,
          baselineReferenceRps: 120,
          baselineShare: 0.5,
          faultRps: null,
          overload: null,
        }),
      ),
    ).toBe("This machine: 196 req/s (configured) · baseline 98 req/s (50 % of it, lowered from the scenario's 120)");
  });
  it('says so when nothing was calibrated', () => {
    expect(
      describeLoad(
        figures({ source: 'reference', capacityRps: null, measuredAt: null, baselineShare: null, overload: null }),
      ),
    ).toBe("This machine: not calibrated (the scenario's own rates) · baseline 80 req/s · incident load 1000 req/s");
  });
});
