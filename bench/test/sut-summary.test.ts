import { expect, it } from 'vitest';
import { summarizeSut } from '../peers.ts';

// How bench/sut-throughput.ts's figures are judged (pure: the runs themselves are in sut-smoke.test.ts).
const none = { client: 0, rate_limited: 0, server: 0, timeout: 0, connection: 0, dropped: 0 };
const step = (targetRps: number, p99Ms: number, extra: Partial<typeof none> = {}, achievedRps = targetRps) => ({
  targetRps,
  achievedRps,
  p50Ms: 2,
  p99Ms,
  errorPct: 0,
  errors: { ...none, ...extra },
});

it('capacity is the highest step with p99 < 50 ms, no error and its rate achieved', () => {
  const s = summarizeSut({
    steps: [step(500, 20), step(1000, 49.9), step(1250, 30, {}, 1200), step(1500, 30, { timeout: 1 })],
  });
  expect(s.capacityRps).toBe(1000);
  expect(s.steps.map((x) => x.qualifies)).toEqual([true, true, false, false]);
  expect(s.journeyMix).toBeNull();
});

it('a journey-mix step holds with its rate achieved, no error and p99 < 100 ms; its capacity is the highest that holds', () => {
  const judge = (j: object) => summarizeSut({ steps: [], journeyMix: { steps: [j] } }).journeyMix?.steps[0].holds;
  expect(judge(step(1000, 99))).toBe(true);
  expect(judge(step(1000, 100))).toBe(false);
  expect(judge(step(1000, 60, { server: 1 }))).toBe(false);
  expect(judge(step(1000, 60, {}, 950))).toBe(false);
  const mix = summarizeSut({ steps: [], journeyMix: { steps: [step(500, 40), step(750, 80), step(1000, 880)] } });
  expect(mix.journeyMix).toMatchObject({ capacityRps: 750 });
  expect(mix.journeyMix?.steps[2]).toMatchObject({ targetRps: 1000, p99Ms: 880, errors: 0, holds: false });
  expect(summarizeSut({ steps: [], journeyMix: { steps: [step(500, 140)] } }).journeyMix?.capacityRps).toBeNull();
});
