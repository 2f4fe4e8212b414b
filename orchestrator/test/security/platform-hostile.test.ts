import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Platform } from '../../src/platform/platform.ts';
import { configAudience, controlAudience } from '@observastack/sut-common/auth/tokens.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import {
  deepArray,
  expectRefused,
  hostileStrings,
  malformedBodies,
  send,
  type Answer,
} from '../../../test-support/hostile-input.ts';
import { freshDatabase, sessionToken, startTestPlatform } from '../support/platform-harness.ts';
import { badTokens, forgeToken } from './bad-tokens.ts';

// The real platform fed hostile input on every orchestrator endpoint that takes some: each is refused with
// a 4xx and a reason, no run starts, no knob moves, no row is written, and everything keeps serving.
const scenariosDir = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
let platform: Platform;
let env: Record<string, string>;
let databaseUrl: string;
let base: string;
let token: string;
let secret: Uint8Array;
let before: { configs: unknown[]; rows: unknown; pids: unknown[] };

const auth = () => ({ authorization: `Bearer ${token}` });
const jsonAuth = () => ({ 'content-type': 'application/json', ...auth() });
const admin = (name: 'gateway' | 'api' | 'inventory') =>
  `http://127.0.0.1:${name === 'gateway' ? env.OBS_GATEWAY_ADMIN_PORT : name === 'api' ? env.OBS_API_PORT : env.OBS_INVENTORY_PORT}`;
const rowCounts = async () => {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (
      await c.query(`SELECT (SELECT count(*) FROM control.runs)::int AS runs, (SELECT count(*) FROM control.run_events)::int AS events,
      (SELECT count(*) FROM shop.orders)::int AS orders, (SELECT count(*) FROM inventory.reservations)::int AS reservations`)
    ).rows[0];
  } finally {
    await c.end();
  }
};
const snapshot = async () => ({
  configs: await Promise.all(
    (['gateway', 'api', 'inventory'] as const).map(async (s) => (await send(admin(s), 'GET', '/config')).json),
  ),
  rows: await rowCounts(),
  pids: (['gateway', 'api', 'inventory'] as const).map((s) => platform.supervisor!.pid(s)),
});

beforeAll(async () => {
  databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_security_hostile');
  ({ platform, env } = await startTestPlatform({ databaseUrl, scenariosDir }));
  base = platform.url;
  token = (await sessionToken(base))!;
  secret = await loadOrCreateSecret(`${env.OBS_DATA_DIR}/secrets/jwt-secret`);
  before = await snapshot();
});
afterAll(async () => {
  await platform?.stop();
});

const runId = randomUUID();
const body = (method: string, path: string, raw: string, headers = jsonAuth()) =>
  send(base, method, path, { headers, body: raw });

describe('hostile bodies on every JSON write', () => {
  const writes: [string, string, Record<string, unknown>][] = [
    ['POST', '/api/runs', { scenarioId: 'shed-everything' }],
    ['POST', `/api/runs/${runId}/checkpoints/where`, { answer: 0 }],
    ['PATCH', '/api/services/gateway/config', { upstreamPoolSize: 32 }],
    ['PATCH', '/api/services/inventory/config', { stockIndex: 'present' }],
  ];
  for (const [method, path, valid] of writes) {
    it.each(malformedBodies(valid))(
      `${method} ${path.replace(runId, '{id}')} with %s -> 4xx`,
      async (_name, raw, status) => {
        expectRefused(await body(method, path, raw), status);
      },
    );
  }
  it.each([
    ['wrong type', { scenarioId: 42 }],
    ['missing field', {}],
    ['surprise with a negative seed', { surprise: true, seed: -1 }],
    ['surprise with a huge seed', { surprise: true, seed: 2 ** 40 }],
    ['both shapes at once', { scenarioId: 'shed-everything', surprise: true }],
    ['path traversal as scenario id', { scenarioId: hostileStrings.traversal }],
    ['SQL as scenario id', { scenarioId: hostileStrings.sql }],
  ])('POST /api/runs with %s -> 4xx', async (_name, b) => {
    expectRefused(await body('POST', '/api/runs', JSON.stringify(b)));
  });
  it.each([
    ['wrong type', { upstreamPoolSize: '64' }],
    ['out of range', { upstreamPoolSize: 100_000 }],
    ['unknown knob', { adminPassword: 'x' }],
    ['empty patch', {}],
    ['nested value', { upstreamPoolSize: { $gt: 0 } }],
    ['deep nesting', { upstreamPoolSize: JSON.parse(deepArray(500)) }],
  ])('PATCH /api/services/gateway/config with %s -> 4xx', async (_name, b) => {
    expectRefused(await body('PATCH', '/api/services/gateway/config', JSON.stringify(b)));
  });
  it.each([
    ['index out of range', { answer: 99 }],
    ['negative index', { answer: -1 }],
    ['long free text', { answer: 'x'.repeat(501) }],
    ['object answer', { answer: { a: 1 } }],
  ])('POST checkpoint with %s -> 4xx', async (_name, b) => {
    expectRefused(await body('POST', `/api/runs/${runId}/checkpoints/where`, JSON.stringify(b)));
  });
  it('a wrong content type is not parsed as JSON', async () => {
    expectRefused(
      await body('POST', '/api/runs', JSON.stringify({ scenarioId: 'shed-everything' }), {
        ...auth(),
        'content-type': 'text/plain',
      }),
      400,
    );
  });
});

const badIds: [string, string][] = [
  ['SQL', encodeURIComponent(hostileStrings.sql)],
  ['traversal', hostileStrings.encodedTraversal],
  ['dot segments', '..%2F..%2F'],
  ['not a uuid', '12345'],
  ['NUL', '%00'],
  ['2000 characters', 'a'.repeat(2000)],
  ['format string', encodeURIComponent(hostileStrings.format)],
];
describe('hostile ids and queries', () => {
  it.each(badIds)('run id with %s -> 4xx on every run route', async (_name, id) => {
    for (const [m, p] of [
      ['GET', `/api/runs/${id}`],
      ['GET', `/api/runs/${id}/postmortem`],
      ['POST', `/api/runs/${id}/stop`],
      ['POST', `/api/runs/${id}/checkpoints/where`],
    ]) {
      const r = await send(base, m, p, {
        headers: m === 'POST' ? jsonAuth() : {},
        body: m === 'POST' ? '{"answer":0}' : undefined,
      });
      expectRefused(r);
    }
  });
  it.each(badIds)('scenario id and service name with %s -> 4xx', async (_name, id) => {
    expectRefused(await send(base, 'GET', `/api/scenarios/${id}`));
    expectRefused(await send(base, 'GET', `/api/services/${id}`));
    expectRefused(await body('PATCH', `/api/services/${id}/config`, '{"upstreamPoolSize":1}'));
  });
  it.each([
    ['checkpoint id with SQL', encodeURIComponent(hostileStrings.sql)],
    ['checkpoint id too long', 'a'.repeat(100)],
  ])('%s -> 400', async (_name, cp) => {
    expectRefused(await body('POST', `/api/runs/${runId}/checkpoints/${cp}`, '{"answer":0}'), 400);
  });
  it.each(['limit=0', 'limit=-1', 'limit=abc', 'limit=100000', 'limit=1&limit=2', 'admin=true'])(
    'GET /api/runs?%s -> 400',
    async (q) => {
      expectRefused(await send(base, 'GET', `/api/runs?${q}`), 400);
    },
  );
  it.each([
    [
      '/api/telemetry/metrics/query_range',
      [
        'query=up&start=abc&end=1&step=1',
        'query=&start=1&end=2',
        `query=${encodeURIComponent('sum(')}&start=1&end=2`,
        'query=up&start=1&end=2&step=-5',
      ],
    ],
    [
      '/api/telemetry/metrics/query',
      ['query=', `query=${encodeURIComponent(hostileStrings.sql)}`, 'query=up&time=yesterday'],
    ],
    [
      '/api/telemetry/logs',
      [
        'limit=0',
        'limit=100000',
        'level=loud',
        `traceId=${hostileStrings.encodedTraversal}`,
        `text=${'x'.repeat(600)}`,
      ],
    ],
    ['/api/telemetry/traces', ['limit=-1', 'minDurationMs=abc', 'error=maybe', `service=${'x'.repeat(200)}`]],
  ] as const)('%s refuses bad parameters', async (path, queries) => {
    for (const q of queries) expectRefusedOrPromError(await send(base, 'GET', `${path}?${q}`));
  });
  it.each(badIds)('trace id with %s -> 400', async (_name, id) => {
    expectRefused(await send(base, 'GET', `/api/telemetry/traces/${id}`));
  });
});

/** The Prometheus-shaped routes answer `{status: "error", error}`; the others the orchestrator's error body. */
function expectRefusedOrPromError(a: Answer): void {
  if (a.json?.status === 'error') {
    expect(a.status).toBe(400);
    expect(a.json.error).toMatch(/\w/);
  } else expectRefused(a);
}

describe("tokens: every bad one refused, and each path refuses the other path's token", () => {
  it.each(badTokens(new Uint8Array(0), controlAudience).map(([n]) => n))(
    'orchestrator write with %s -> 401, on REST and the WebSocket',
    async (name) => {
      const [, make, reason] = badTokens(secret, controlAudience).find(([n]) => n === name)!;
      const t = await make();
      const headers = { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) };
      for (const [m, p, b] of [
        ['POST', '/api/reset', '{}'],
        ['POST', '/api/runs', '{"scenarioId":"shed-everything"}'],
        ['PATCH', '/api/services/gateway/config', '{"rateLimitRps":1}'],
      ]) {
        const r = await send(base, m, p, { headers, body: b });
        expectRefused(r, 401);
        expect(r.json.error.message).toMatch(reason);
      }
      const ws = await upgrade(t);
      expect(ws.status).toBe(401);
    },
  );
  it.each(badTokens(new Uint8Array(0), configAudience).map(([n]) => n))(
    'SUT config write with %s -> 401',
    async (name) => {
      const [, make, reason] = badTokens(secret, configAudience).find(([n]) => n === name)!;
      const t = await make();
      for (const s of ['gateway', 'api', 'inventory'] as const) {
        const r = await send(admin(s), 'PATCH', '/config', {
          headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
          body: '{}',
        });
        expectRefused(r, 401);
        expect(r.json.error.message).toMatch(reason);
      }
    },
  );
  it('the real session token is refused by a SUT service, a real sut-config token by the orchestrator', async () => {
    expectRefused(
      await send(admin('api'), 'PATCH', '/config', {
        headers: { 'content-type': 'application/json', ...auth() },
        body: '{"workerPoolSize":2}',
      }),
      401,
    );
    const config = await forgeToken(secret, configAudience, { sub: 'orchestrator' });
    expect(
      (
        await send(admin('api'), 'PATCH', '/config', {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${config}` },
          body: '{}',
        })
      ).status,
    ).toBe(200);
    expectRefused(await send(base, 'POST', '/api/reset', { headers: { authorization: `Bearer ${config}` } }), 401);
    expect((await upgrade(config)).status).toBe(401);
  });
});

/** Opens /ws with a token in the subprotocol (or none); resolves with the HTTP status of the answer. */
function upgrade(
  t: string | undefined,
  o: { origin?: string; query?: string } = {},
): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${platform.port}/ws${o.query ?? ''}`,
      t ? ['observastack', `bearer.${t}`] : [],
      o.origin ? { origin: o.origin } : {},
    );
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: 0 }));
  });
}

describe('the WebSocket', () => {
  it('opens with the token as subprotocol or query, answering the observastack subprotocol', async () => {
    const a = await upgrade(token);
    expect(a.status).toBe(101);
    expect(a.ws!.protocol).toBe('observastack');
    a.ws!.close();
    const b = await upgrade(undefined, { query: `?token=${token}` });
    expect(b.status).toBe(101);
    b.ws!.close();
  });
  it('refuses a foreign origin even with a token', async () => {
    expect((await upgrade(token, { origin: 'http://evil.example' })).status).toBe(403);
  });
  it('survives hostile messages and keeps answering', async () => {
    const { ws } = await upgrade(token);
    const got: any[] = [];
    ws!.on('message', (d) => got.push(JSON.parse(d.toString())));
    for (const m of [
      'not json',
      '{"type":"admin"}',
      '{"type":"subscribe-logs","service":' + JSON.stringify('x'.repeat(5000)) + '}',
      deepArray(2000),
      '{"type":"ping","__proto__":{"x":1}}',
    ])
      ws!.send(m);
    ws!.send('{"type":"ping"}');
    await expect.poll(() => got.filter((m) => m.type === 'error').length, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
    await expect.poll(() => got.some((m) => m.type === 'heartbeat'), { timeout: 5000 }).toBe(true);
    const closed = new Promise<number>((r) => ws!.once('close', (code) => r(code)));
    ws!.send('x'.repeat(20_000));
    expect(await closed).toBe(1009);
  });
});

describe('the user path reaches the shop only', () => {
  it.each([
    '/api/session',
    '/api/runs',
    '/api/telemetry/logs',
    '/config',
    '/metrics',
    '/healthz',
    '/v1/traces',
    '/ws',
    '/api/../config',
    '/api/%2e%2e/metrics',
  ])('gateway %s is not the control or observability path', async (path) => {
    for (const m of ['GET', 'POST']) {
      const r = await send(`http://127.0.0.1:${env.OBS_GATEWAY_PORT}`, m, path, {
        headers: { 'content-type': 'application/json', ...auth() },
        body: m === 'POST' ? '{}' : undefined,
      });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.text).not.toMatch(/token|upstreamPoolSize|# HELP|"runs"|entries/);
    }
  });
});

describe('afterwards, and under a flood', () => {
  it('nothing changed and everything still serves', async () => {
    expect(await snapshot()).toEqual(before);
    expect((await send(base, 'GET', '/api/runs')).json.runs).toEqual([]);
    expect((await send(base, 'GET', '/api/health')).json.status).toBe('ok');
    expect((await send(`http://127.0.0.1:${env.OBS_GATEWAY_PORT}`, 'GET', '/api/products/1')).status).toBe(200);
  });
  it('a flood of config writes gets 429 with Retry-After, and changes nothing', async () => {
    const rs = await Promise.all(
      Array.from({ length: 200 }, () => body('PATCH', '/api/services/gateway/config', '{"upstreamPoolSize":-1}')),
    );
    const limited = rs.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    for (const r of rs) expectRefused(r);
    const t = await forgeToken(secret, configAudience, { sub: 'flood' });
    const direct = await Promise.all(
      Array.from({ length: 200 }, () =>
        send(admin('inventory'), 'PATCH', '/config', {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
          body: '{"dbPoolMax":0}',
        }),
      ),
    );
    expect(direct.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    for (const r of direct) expectRefused(r);
    expect(await snapshot()).toEqual(before);
    expect((await send(base, 'GET', '/api/runs/active')).status).toBe(200);
  });
});
