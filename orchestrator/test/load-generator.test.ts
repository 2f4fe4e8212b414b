import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findPromtool } from '../../test-support/peer-tool.ts';
import { createLoadGenerator } from '../src/load/index.ts';
import type { LoadGenerator, LoadPlanInput, SecondStats } from '../src/load/index.ts';

const promtool = findPromtool();

/**
 * A stand-in for the shop's user gateway on the same paths. Deterministic answers by path:
 * browse 200, search 429, view 200 (500 when the id is a multiple of 10), recommendations 404, checkout 201.
 */
interface FakeShop {
  url: string;
  server: Server;
  statuses: Map<number, number>;
  received: number;
  maxConcurrent: number;
  /** Every response waits this long. */
  holdMs: number;
  /** Requests arriving before this time (performance.now) are answered at that time. */
  stallUntil: number;
  /** Never answer. */
  hang: boolean;
  close(): Promise<void>;
}

async function startFakeShop(): Promise<FakeShop> {
  let concurrent = 0;
  const shop = {
    statuses: new Map<number, number>(),
    received: 0,
    maxConcurrent: 0,
    holdMs: 0,
    stallUntil: 0,
    hang: false,
  } as FakeShop;
  const statusFor = (req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    if (req.method === 'POST' && url.pathname === '/api/orders') return 201;
    if (url.pathname === '/api/products') return url.searchParams.has('search') ? 429 : 200;
    const view = /^\/api\/products\/(\d+)$/.exec(url.pathname);
    if (view) return Number(view[1]) % 10 === 0 ? 500 : 200;
    if (url.pathname.startsWith('/api/recommendations/')) return 404;
    return 400;
  };
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const status = statusFor(req);
    shop.statuses.set(status, (shop.statuses.get(status) ?? 0) + 1);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  };
  shop.server = createServer((req, res) => {
    shop.received++;
    shop.maxConcurrent = Math.max(shop.maxConcurrent, ++concurrent);
    res.on('close', () => concurrent--);
    req.resume();
    req.on('end', () => {
      if (shop.hang) return;
      const wait = Math.max(shop.holdMs, shop.stallUntil - performance.now());
      if (wait > 0) setTimeout(() => answer(req, res), wait);
      else answer(req, res);
    });
  });
  await new Promise<void>((resolve) => shop.server.listen(0, '127.0.0.1', resolve));
  shop.url = `http://127.0.0.1:${(shop.server.address() as AddressInfo).port}`;
  shop.close = () => {
    shop.server.closeAllConnections();
    return new Promise((resolve) => shop.server.close(() => resolve()));
  };
  return shop;
}

const openConnections = (server: Server) =>
  new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
const sum = (list: SecondStats[], pick: (s: SecondStats) => number) => list.reduce((a, s) => a + pick(s), 0);
const constant = (rps: number, extra: Partial<LoadPlanInput> = {}): LoadPlanInput => ({
  phases: [{ pattern: 'constant', durationS: 60, rps }],
  ...extra,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const shop = await startFakeShop();
  const gen = createLoadGenerator({ baseUrl: shop.url, seed: 9 });
  cleanups.push(shop.close, () => gen.stop());
  return { shop, gen };
}

/** Runs `plan` for `ms`, returns every reported second and the wall time between start and stop. */
async function run(gen: LoadGenerator, plan: LoadPlanInput, ms: number, during?: () => Promise<void>) {
  const seconds: SecondStats[] = [];
  const off = gen.onSecond((s) => seconds.push(s));
  const t0 = performance.now();
  gen.start(plan);
  await Promise.all([sleep(ms), during?.()]);
  const elapsedS = (performance.now() - t0) / 1000;
  await gen.stop();
  off();
  return { seconds, elapsedS };
}

describe('load generator against a real HTTP server', () => {
  it('sends the planned rate and classifies every outcome as the server answered', async () => {
    const { shop, gen } = await setup();
    const { seconds, elapsedS } = await run(gen, constant(200), 2200);

    const offered = sum(seconds, (s) => s.offered);
    expect(Math.abs(offered - 200 * elapsedS)).toBeLessThanOrEqual(3);
    for (const s of seconds.slice(1, -1)) expect(Math.abs(s.offered - 200)).toBeLessThanOrEqual(2); // whole seconds
    expect(seconds.map((s) => s.t - seconds[0].t)).toEqual(seconds.map((_, i) => i));
    expect(gen.recent(100)).toEqual(seconds);

    const total = gen.summary(100);
    expect(total.count).toBe(offered);
    expect(shop.received).toBe(offered);
    expect(total.outcomes).toEqual({
      ok: (shop.statuses.get(200) ?? 0) + (shop.statuses.get(201) ?? 0),
      client: shop.statuses.get(404) ?? 0,
      rate_limited: shop.statuses.get(429),
      server: shop.statuses.get(500),
      timeout: 0,
      connection: 0,
      dropped: 0,
    });
    expect(total.ordersCreated).toBe(shop.statuses.get(201));
    expect(total.journeys.checkout.ok).toBe(shop.statuses.get(201));
    expect(total.outcomes.server).toBeGreaterThan(0);
    for (const s of seconds) {
      expect(s.sent + s.outcomes.dropped).toBe(s.offered);
      expect(Object.values(s.outcomes).reduce((a, b) => a + b, 0)).toBe(s.offered);
    }

    // The same figures on the generator's own Prometheus registry (promtool lints it in its own test below).
    const text = await gen.registry.metrics();
    const series = (name: string) =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
    expect(series('loadgen_requests_total')).toBe(offered);
    expect(series('loadgen_offered_requests_total')).toBe(offered);
    expect(series('loadgen_orders_created_total')).toBe(total.ordersCreated);
    expect(series('loadgen_request_duration_seconds_count')).toBe(offered);
    expect(text).toMatch(/^loadgen_requests_total\{journey="search",outcome="rate_limited"\} \d+$/m);

    // stop() was clean: nothing in flight, no timers left scheduling, every keep-alive connection closed.
    expect(gen.inFlight).toBe(0);
    expect(gen.running).toBe(false);
    expect(gen.currentRps()).toBe(0);
    await vi.waitFor(async () => expect(await openConnections(shop.server)).toBe(0));
    expect(shop.received).toBe(offered);
  });

  it("keeps the platform's own traffic (warm-up, capacity probe) out of the users' metrics, not out of its stats", async () => {
    const { shop, gen } = await setup();
    const warm = await run(gen, { ...constant(100), purpose: 'warm-up' }, 1200);
    const probe = await run(gen, { ...constant(100), purpose: 'probe' }, 1200);
    const sent = sum([...warm.seconds, ...probe.seconds], (s) => s.offered);
    expect(sent).toBeGreaterThan(150);
    expect(shop.received).toBe(sent);
    const counted = async (name: string) =>
      [...(await gen.registry.metrics()).matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
    expect(await counted('loadgen_requests_total')).toBe(0);
    expect(await counted('loadgen_offered_requests_total')).toBe(0);
    expect(await counted('loadgen_request_duration_seconds_count')).toBe(0);
    const users = await run(gen, constant(100), 1200);
    expect(await counted('loadgen_requests_total')).toBe(sum(users.seconds, (s) => s.offered));
  });

  it.skipIf(!promtool)('exposes its registry in an exposition promtool accepts', async () => {
    const { gen } = await setup();
    await run(gen, constant(200), 1200);
    const check = spawnSync(promtool!, ['check', 'metrics'], {
      input: await gen.registry.metrics(),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it('measures latency from the scheduled time when the server stalls (no coordinated omission)', async () => {
    const { shop, gen } = await setup();
    const { seconds } = await run(gen, constant(100, { journeys: { browse: 1 } }), 2000, async () => {
      await sleep(800);
      shop.stallUntil = performance.now() + 300;
    });
    const summary = gen.summary(100);
    expect(summary.outcomes.ok).toBe(summary.count);
    expect(summary.latencyMs?.max).toBeGreaterThanOrEqual(280);
    expect(summary.latencyMs?.p99).toBeGreaterThanOrEqual(250);
    expect(Math.max(...seconds.map((s) => s.latencyMs?.p99 ?? 0))).toBeGreaterThanOrEqual(250);
  });

  it('keeps the schedule when its own event loop is blocked, and charges the wait to latency', async () => {
    const { gen } = await setup();
    const { elapsedS } = await run(gen, constant(100, { journeys: { view: 1 } }), 2000, async () => {
      await sleep(800);
      const until = performance.now() + 300;
      while (performance.now() < until); // blocks the generator (and the server) for 300 ms
    });
    const summary = gen.summary(100);
    // Requests due during the block were still offered (none omitted), each measured from its scheduled time.
    expect(Math.abs(summary.count - 100 * elapsedS)).toBeLessThanOrEqual(2);
    expect(summary.outcomes.dropped).toBe(0);
    expect(summary.latencyMs?.max).toBeGreaterThanOrEqual(280);
    expect(summary.latencyMs?.p99).toBeGreaterThanOrEqual(250);
  });

  it('drops what is due while maxInFlight requests are outstanding, without lowering the rate', async () => {
    const { shop, gen } = await setup();
    shop.holdMs = 400;
    let maxInFlight = 0;
    const { seconds, elapsedS } = await run(
      gen,
      constant(100, { maxInFlight: 5, journeys: { browse: 1 } }),
      1500,
      async () => {
        for (let i = 0; i < 25; i++, await sleep(50)) maxInFlight = Math.max(maxInFlight, gen.inFlight);
      },
    );
    const summary = gen.summary(100);
    expect(Math.abs(summary.count - 100 * elapsedS)).toBeLessThanOrEqual(2);
    expect(summary.outcomes.dropped).toBeGreaterThan(summary.count / 2);
    expect(summary.outcomes.ok + summary.outcomes.dropped).toBe(summary.count);
    expect(shop.maxConcurrent).toBeLessThanOrEqual(5);
    expect(Math.max(...seconds.map((s) => s.inFlight))).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBe(5);
  });

  it('counts timeouts, refused connections, and stop() waits for requests to settle', async () => {
    const { shop, gen } = await setup();
    shop.hang = true;
    const closed = await startFakeShop();
    await closed.close(); // a port nobody listens on any more
    const refused = createLoadGenerator({ baseUrl: closed.url });
    cleanups.push(() => refused.stop());

    refused.start(constant(50));
    const hung = run(gen, constant(50, { timeoutMs: 300 }), 1000);
    await sleep(1000);
    await refused.stop();
    const { seconds } = await hung;

    const timeouts = gen.summary(100);
    expect(timeouts.outcomes.timeout).toBe(timeouts.count);
    expect(timeouts.latencyMs).toBeNull();
    expect(gen.inFlight).toBe(0);
    expect(seconds.at(-1)?.outcomes.timeout).toBe(seconds.at(-1)?.offered);
    const conn = refused.summary(100);
    expect(conn.count).toBeGreaterThan(0);
    expect(conn.outcomes.connection).toBe(conn.count);
  });

  it('switches plans live and rejects a bad plan without disturbing the running one', async () => {
    const { gen } = await setup();
    const seconds: SecondStats[] = [];
    gen.onSecond((s) => seconds.push(s));
    const t0 = performance.now();
    gen.start(constant(50, { journeys: { browse: 1 } }));
    expect(gen.currentRps()).toBe(50);
    expect(() => gen.start(constant(10))).toThrow(/already running/);
    await sleep(700);
    expect(() => gen.setPlan({ phases: [] })).toThrow(/phases/);
    const tSwitch = performance.now();
    gen.setPlan({ phases: [{ pattern: 'ramp', durationS: 0.5, fromRps: 150, toRps: 150 }], journeys: { browse: 1 } });
    expect(gen.currentRps()).toBe(150);
    expect(gen.plan?.maxInFlight).toBe(256);
    await sleep(2000);
    const tEnd = performance.now();
    await gen.stop();
    // The last whole second ran entirely under the new plan (the ramp's final rate holds after it ends).
    const lastWhole = seconds.at(-2);
    expect(Math.abs((lastWhole?.offered ?? 0) - 150)).toBeLessThanOrEqual(2);
    const planned = (50 * (tSwitch - t0) + 150 * (tEnd - tSwitch)) / 1000;
    expect(Math.abs(sum(seconds, (s) => s.offered) - planned)).toBeLessThanOrEqual(3);
  });
});
