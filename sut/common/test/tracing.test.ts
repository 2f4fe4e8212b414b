import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { postJson } from './helpers/http.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';

let receiver: OtlpReceiver;
let sut: TestSut;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  sut = await startIsolatedSut(inject('pgAdminUrl'), { otlpEndpoint: receiver.url });
});
afterAll(async () => {
  await sut?.stop();
  await receiver?.close();
});

async function waitForSpans(match: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  while (!match(receiver.spans)) {
    if (Date.now() > deadline)
      throw new Error(`spans never matched; got ${receiver.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return receiver.spans;
}

describe('one trace spans gateway, api, inventory and PostgreSQL', () => {
  it('a checkout with a known traceparent is one trace across the three services, in spans and logs', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const r = await postJson(
      `${sut.urls.gateway}/api/orders`,
      { customerId: 'traced', items: [{ productId: 42, quantity: 1 }] },
      { traceparent: `00-${traceId}-${parent}-01` },
    );
    expect(r.status).toBe(201);

    const mine = (spans: ReceivedSpan[]) => spans.filter((s) => s.traceId === traceId);
    const isPg = (s: ReceivedSpan) =>
      s.attributes['db.system.name'] === 'postgresql' && String(s.name).startsWith('pg.query:');
    const orphansOf = (spans: ReceivedSpan[]) => {
      const ids = new Set([parent, ...spans.map((s) => s.spanId)]);
      return spans.filter((s) => !ids.has(s.parentSpanId));
    };
    // Spans arrive in batches per service: wait for the complete tree, then look at it.
    const spans = mine(
      await waitForSpans((all) => {
        const m = mine(all);
        return (
          ['gateway', 'api', 'inventory'].every((svc) => m.some((s) => s.service === svc)) &&
          ['api', 'inventory'].every((svc) => m.some((s) => s.service === svc && isPg(s))) &&
          orphansOf(m).length === 0
        );
      }).catch(() => receiver.spans),
    );
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway', 'api', 'inventory']));
    // The gateway's server span continues the caller's trace: its parent is the span id we sent.
    const gatewayServer = spans.find((s) => s.service === 'gateway' && s.parentSpanId === parent);
    expect(gatewayServer?.name).toMatch(/^POST/);
    // PostgreSQL statements of both api and inventory are in the trace, with their SQL.
    const pgSpans = spans.filter(isPg);
    expect(new Set(pgSpans.map((s) => s.service))).toEqual(new Set(['api', 'inventory']));
    expect(
      pgSpans.some((s) =>
        /INSERT INTO shop\.orders/.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'])),
      ),
    ).toBe(true);
    // Named by SQL command as a learner reads them (not by prepared-statement name), the transaction's own
    // statements included, and the wait for a pooled connection beside them.
    for (const s of pgSpans) expect(s.name).toMatch(/^pg\.query:[A-Z]+ \S+$/);
    expect(pgSpans.filter((s) => s.service === 'api').map((s) => s.name.split(' ')[0])).toEqual(
      expect.arrayContaining(['pg.query:BEGIN', 'pg.query:INSERT', 'pg.query:COMMIT']),
    );
    expect(spans.filter((s) => s.name === 'db_pool.acquire').map((s) => s.service)).toEqual(
      expect.arrayContaining(['api', 'inventory']),
    );
    // The gateway's call to api and api's to inventory are CLIENT spans with their answer's status.
    const clientCalls = spans.filter((s) => s.kind === 3 && s.attributes['url.full']);
    expect(new Set(clientCalls.map((s) => s.service))).toEqual(new Set(['gateway', 'api']));
    expect(spans.some((s) => s.service === 'api' && s.name === 'pricing.compute')).toBe(true);
    // Every span's parent is in the trace (or is the caller's span): the three services form one tree.
    expect(orphansOf(spans).map((s) => `${s.service}:${s.name}`)).toEqual([]);

    for (const service of ['gateway', 'api', 'inventory'] as const) {
      const line = await sut.waitForLog((e) => e.service === service && e.json?.trace_id === traceId);
      expect(line.json?.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
  });
});
