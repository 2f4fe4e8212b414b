import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LoadPlanInput } from './plan-schema.ts';
import { loadPlanSchema } from './plan-schema.ts';

const errorOf = (input: unknown) => {
  const result = loadPlanSchema.safeParse(input);
  if (result.success) throw new Error('expected the plan to be rejected');
  return z.prettifyError(result.error);
};

describe('loadPlanSchema', () => {
  it('accepts a plan using every pattern', () => {
    const plan: LoadPlanInput = {
      phases: [
        { pattern: 'constant', durationS: 30, rps: 40 },
        { pattern: 'ramp', durationS: 20, fromRps: 40, toRps: 120 },
        { pattern: 'step', durationS: 40, fromRps: 120, toRps: 40, steps: 4 },
        { pattern: 'spike', durationS: 60, baseRps: 40, peakRps: 200, atS: 10, forS: 20 },
        { pattern: 'wave', durationS: 120, baseRps: 60, amplitudeRps: 30, periodS: 60 },
      ],
      journeys: { browse: 1, checkout: 3 },
      maxInFlight: 64,
      timeoutMs: 1500,
    };
    const parsed = loadPlanSchema.parse(plan);
    expect(parsed.phases).toHaveLength(5);
    expect(parsed.journeys).toEqual({ browse: 1, search: 0, view: 0, recommendations: 0, checkout: 3 });
    expect(parsed.maxInFlight).toBe(64);
    expect(parsed.timeoutMs).toBe(1500);
  });

  it('fills in the defaults of a minimal plan', () => {
    expect(loadPlanSchema.parse({ phases: [{ pattern: 'constant', durationS: 60, rps: 50 }] })).toMatchInlineSnapshot(`
      {
        "journeys": {
          "browse": 30,
          "checkout": 8,
          "recommendations": 12,
          "search": 15,
          "view": 35,
        },
        "maxInFlight": 256,
        "phases": [
          {
            "durationS": 60,
            "pattern": "constant",
            "rps": 50,
          },
        ],
        "purpose": "users",
        "timeoutMs": 2000,
      }
    `);
  });

  it('rejects unknown patterns, negative rates and misspelt fields with readable errors', () => {
    expect(
      errorOf({
        phases: [
          { pattern: 'burst', durationS: 10, rps: 5 },
          { pattern: 'constant', durationS: 0, rps: -1 },
          { pattern: 'ramp', durationS: 10, fromRps: 1, toRps: 2, typo: true },
        ],
        maxInFlight: 0,
      }),
    ).toMatchInlineSnapshot(`
      "✖ Too small: expected number to be >=1
        → at maxInFlight
      ✖ Unrecognized key: "typo"
        → at phases[2]
      ✖ Invalid discriminator value. Expected 'constant' | 'ramp' | 'step' | 'spike' | 'wave'
        → at phases[0].pattern
      ✖ Too small: expected number to be >0
        → at phases[1].durationS
      ✖ Too small: expected number to be >=0
        → at phases[1].rps"
    `);
  });

  it('rejects a spike that outlasts its phase and a wave that would go negative', () => {
    expect(
      errorOf({
        phases: [
          { pattern: 'spike', durationS: 10, baseRps: 5, peakRps: 50, atS: 8, forS: 5 },
          { pattern: 'wave', durationS: 10, baseRps: 5, amplitudeRps: 10, periodS: 5 },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "✖ the spike (atS + forS) must end within the phase (durationS)
        → at phases[0].forS
      ✖ amplitudeRps must not exceed baseRps (a rate cannot be negative)
        → at phases[1].amplitudeRps"
    `);
  });

  it('rejects an empty plan and journeys that all weigh 0', () => {
    expect(errorOf({ phases: [], journeys: { browse: 0 } })).toMatchInlineSnapshot(`
      "✖ Too small: expected array to have >=1 items
        → at phases
      ✖ at least one journey needs a weight above 0
        → at journeys"
    `);
  });
});
