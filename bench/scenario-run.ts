// Time to symptom and time to verdict of one scenario, driven like a learner would: REST to start the run and
// apply the documented fix, a WebSocket client to see the judge's events; plus the platform's RSS meanwhile.
import type { Scenario } from '../orchestrator/src/scenarios/scenario.ts';
import { sampleTreeRss, type RssSamples } from './proc-tree.ts';
import { apiOk as apiCall, PlatformSocket } from '../orchestrator/src/client/platform-client.ts';
import { applyFix } from '../orchestrator/src/verify/apply-fix.ts';
import { RestClient } from '../orchestrator/src/verify/rest-client.ts';

export interface ScenarioFigures {
  scenarioId: string;
  outcome: string | null;
  /** Run started -> fault_applied (the baseline), server stamps. */
  baselineS: number | null;
  /** fault_applied -> slo_breached, server stamps (the judge's own clock). */
  timeToSymptomS: number | null;
  /** fault_applied (server) -> slo_breached received by the WebSocket client. */
  timeToSymptomSeenS: number | null;
  /** First documented-fix PATCH sent -> `resolution` received by the WebSocket client. */
  timeToVerdictS: number | null;
  holdSeconds: number;
  windowSeconds: number;
  /** Hint created (`at`) -> received by the client, for the hints shown during the run. */
  hintPushMs: number[];
  /** Tree RSS sampled every second from run start to verdict. */
  rss: RssSamples;
  error: string | null;
}

const ms = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null ? null : (b - a) / 1000;

/** Runs `scenario` once on the platform at `url` (tree root `pid`), applies its documented fix at the breach. */
export async function measureScenario(url: string, pid: number, scenario: Scenario): Promise<ScenarioFigures> {
  const spec = scenario.spec;
  const ws = await PlatformSocket.open(url);
  await ws.waitForReceived((m) => m.type === 'snapshot', 5000);
  const sampler = sampleTreeRss(pid, 1000);
  const f: ScenarioFigures = {
    scenarioId: scenario.id,
    outcome: null,
    baselineS: null,
    timeToSymptomS: null,
    timeToSymptomSeenS: null,
    timeToVerdictS: null,
    holdSeconds: spec.slo.holdSeconds,
    windowSeconds: spec.slo.windowSeconds,
    hintPushMs: [],
    rss: { peakBytes: 0, meanBytes: 0, samples: 0, peak: null, peakPssBytes: 0, meanPssBytes: 0, peakPss: null },
    error: null,
  };
  let runId: string | null = null;
  try {
    const run = await apiCall(url, 'POST', '/api/runs', { scenarioId: scenario.id });
    runId = run.id as string;
    // Each wait also ends at the run's own end (an aborted baseline, say), so a failure costs no timeout.
    const next = async (type: string, timeoutMs: number) => {
      const r = await ws.waitForReceived(
        (m) =>
          (m.type === 'event' && m.event.runId === runId && m.event.type === type) ||
          (m.type === 'resolution' && m.runId === runId),
        timeoutMs,
      );
      if (r.msg.type !== 'event')
        throw new Error(`the run ended (${r.msg.type === 'resolution' ? r.msg.outcome : r.msg.type}) before ${type}`);
      return r as typeof r & { msg: { type: 'event' } };
    };
    const fault = await next('fault_applied', (spec.baselineSeconds + 30) * 1000);
    f.baselineS = ms(run.startedAt, fault.msg.event.at);
    const breach = await next('slo_breached', 60_000);
    f.timeToSymptomS = ms(fault.msg.event.at, breach.msg.event.at);
    f.timeToSymptomSeenS = ms(fault.msg.event.at, breach.recvAt);

    const fixAt = Date.now();
    // The documented fix as a learner takes it (knobs or actions), through the same routes as scenarios:verify.
    await applyFix(new RestClient(url), spec.fix.documented);
    const verdict = await ws.waitForReceived(
      (m) => m.type === 'resolution' && m.runId === runId,
      (spec.slo.windowSeconds + spec.slo.holdSeconds + 60) * 1000,
    );
    f.timeToVerdictS = ms(fixAt, verdict.recvAt);
    f.outcome = verdict.msg.type === 'resolution' ? verdict.msg.outcome : null;
    runId = null;
  } catch (err) {
    const seen = ws.received.flatMap((r) =>
      r.msg.type === 'event'
        ? [`${r.msg.event.type}: ${r.msg.event.message}`]
        : r.msg.type === 'resolution'
          ? [`resolution ${r.msg.outcome}`]
          : [],
    );
    f.error = `${(err as Error).message}; run events seen: ${seen.join(' | ') || 'none'}`;
  } finally {
    f.rss = await sampler.stop();
    for (const r of ws.received) if (r.msg.type === 'hint') f.hintPushMs.push(r.recvAt - r.msg.hint.at);
    ws.close();
    if (runId) await apiCall(url, 'POST', `/api/runs/${runId}/stop`).catch(() => {});
    await apiCall(url, 'POST', '/api/reset', {}).catch(() => {});
  }
  return f;
}

export interface PushFigures {
  samples: number;
  /** Event created (server `at`) -> received by the client. */
  eventToClientMs: number[];
  /** PATCH sent -> its `config_changed` event received (the round trip a learner feels). */
  requestToEventMs: number[];
  error: string | null;
}

/**
 * Push latency: during a run's baseline, flips a knob no scenario judges on (gateway upstreamTimeoutMs
 * 5000 <-> 5001) `samples` times, each flip producing one `config_changed` event; then stops the run and resets.
 */
export async function measurePushLatency(url: string, scenarioId: string, samples: number): Promise<PushFigures> {
  const ws = await PlatformSocket.open(url);
  await ws.waitForReceived((m) => m.type === 'snapshot', 5000);
  const out: PushFigures = { samples: 0, eventToClientMs: [], requestToEventMs: [], error: null };
  let runId: string | null = null;
  try {
    runId = (await apiCall(url, 'POST', '/api/runs', { scenarioId })).id as string;
    for (let i = 0; i < samples; i++) {
      const from = ws.received.length;
      const value = i % 2 === 0 ? 5001 : 5000;
      const sentAt = Date.now();
      await apiCall(url, 'PATCH', '/api/services/gateway/config', { upstreamTimeoutMs: value });
      const ev = await ws.waitForReceived(
        (m) =>
          m.type === 'event' &&
          m.event.type === 'config_changed' &&
          m.event.runId === runId &&
          m.event.data.patch.upstreamTimeoutMs === value,
        5000,
        from,
      );
      if (ev.msg.type !== 'event') continue;
      out.eventToClientMs.push(ev.recvAt - ev.msg.event.at);
      out.requestToEventMs.push(ev.recvAt - sentAt);
      out.samples++;
      await new Promise((r) => setTimeout(r, 40));
    }
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    ws.close();
    if (runId) await apiCall(url, 'POST', `/api/runs/${runId}/stop`).catch(() => {});
    await apiCall(url, 'POST', '/api/reset', {}).catch(() => {});
  }
  return out;
}
