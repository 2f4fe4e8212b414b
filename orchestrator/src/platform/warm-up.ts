import type { LoadGenerator } from '../load/index.ts';

/** How long the boot warm-up sends traffic. */
export const warmUpSeconds = 6;

/**
 * A fresh SUT is slow for its first seconds (JIT, connections, worker threads, cold caches). A few seconds of
 * light, read-only traffic right after boot, while the learner reads the lesson, keep that out of their first
 * baseline.
 *
 * Whoever starts the load generator meanwhile (a run, the verifier, a test) takes it over: the warm-up stops only
 * its own plan, never a load someone else started after it (that used to cut a 90 s load short after 6 s).
 */
export function warmUp(load: Pick<LoadGenerator, 'start' | 'stop' | 'plan'>): void {
  // Read-only journeys: the warm-up never writes an order.
  load.start({
    phases: [{ pattern: 'constant', durationS: warmUpSeconds, rps: 50 }],
    journeys: { browse: 30, search: 15, view: 40, recommendations: 15 },
    timeoutMs: 5000,
    purpose: 'warm-up',
  });
  const own = load.plan;
  setTimeout(() => {
    if (own !== null && load.plan === own) void load.stop();
  }, warmUpSeconds * 1000).unref();
}
