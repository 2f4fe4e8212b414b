// The shop's capacity rows of `npm run bench` (bench/sut-throughput.ts, judged in peers.ts): the catalogue mix and
// the default journey mix, each with the same run's wrk yardstick or its steps in the note.
import { defaultJourneyWeights } from '../orchestrator/src/load/plan-schema.ts';
import { journeyMixP99Ms, type SutCapacity } from './peers.ts';
import { missing, type FigureRow } from './results-schema.ts';
import { round } from './stats.ts';

/** The same run's wrk yardstick (closed model, catalogue page): the shop beside a bare server and a proxy chain. */
function yardstickNote(y: SutCapacity['yardstick']): string {
  if (!y) return '';
  return `; wrk, same run: shop ${round(y.shopRps, 0)} req/s = ${round(y.shopShareOfBare, 3)} of a bare Node server (${round(y.bareNodeRps, 0)}), ${round(y.shopShareOfChain, 3)} of a two-hop Node proxy chain (${round(y.twoHopChainRps, 0)})`;
}

export function sutRow(sut: SutCapacity | null): FigureRow {
  const how =
    '`bench/sut-throughput.ts`: stepped arrival rates of the catalogue mix through the gateway, healthy config, 20 % of requests traced and exported; highest with p99 < 50 ms, 0 errors';
  if (!sut)
    return missing(
      'sut-capacity',
      'SUT capacity',
      how,
      '>= 1500 req/s',
      'bench/sut-throughput.ts did not run; see errors',
    );
  const top = sut.steps.at(-1);
  const capacity = sut.capacityRps;
  const firstBad = sut.steps.find((x) => !x.qualifies && x.targetRps > (capacity ?? 0));
  return {
    id: 'sut-capacity',
    figure: 'SUT capacity',
    how,
    target: '>= 1500 req/s',
    value:
      sut.capacityRps === null
        ? `below the lowest step (${sut.steps[0]?.targetRps ?? '-'} req/s)`
        : `${sut.capacityRps} req/s`,
    met: sut.capacityRps !== null && sut.capacityRps >= 1500,
    note: `${
      firstBad
        ? `first failing step above it ${firstBad.targetRps} req/s: achieved ${firstBad.achievedRps}, p99 ${round(firstBad.p99Ms)} ms, ${firstBad.errors} errors`
        : `every step up to ${top?.targetRps} req/s qualified`
    }${yardstickNote(sut.yardstick)}`,
  };
}

/** The default journey mix (recommendations and checkout included) in steps after its own warm-up. */
export function journeyMixRow(sut: SutCapacity | null): FigureRow {
  const j = sut?.journeyMix;
  const weights = Object.entries(defaultJourneyWeights)
    .map(([journey, w]) => `${journey} ${w}`)
    .join(', ');
  const how = `\`bench/sut-throughput.ts\`: stepped arrival rates of the simulated users' default journey mix (${weights}) through the gateway after 5 s of it as a warm-up, healthy config, 20 % traced; highest with no error and p99 < ${journeyMixP99Ms} ms (50 ms plus the longest floor a journey has by design: the recommendation model call, the payment authorisation)`;
  const target = `>= 1000 req/s`;
  if (!j) return missing('sut-journey-mix', 'SUT, default journey mix', how, target, 'not run');
  return {
    id: 'sut-journey-mix',
    figure: 'SUT, default journey mix',
    how,
    target,
    value: j.capacityRps === null ? 'no step held' : `${j.capacityRps} req/s`,
    met: (j.capacityRps ?? 0) >= 1000,
    note: j.steps
      .map(
        (x) =>
          `${x.targetRps} req/s: achieved ${x.achievedRps}, p50 ${round(x.p50Ms)} ms, p99 ${round(x.p99Ms)} ms, ${x.errors} errors`,
      )
      .join('; '),
  };
}
