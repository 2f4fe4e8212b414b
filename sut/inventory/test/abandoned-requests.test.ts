import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { patchConfig, resetConfig } from '../../common/test/helpers/http.ts';
import { samples, scrape } from '../../common/test/helpers/prom-text.ts';

// After an overload, the queues must drain at once when the cause is fixed (issue 15): a request whose client
// gave up must not still be served a slow query nobody will read. Real inventory, real PostgreSQL, real sockets.
let sut: TestSut & { db: { url: string } };
let token: string;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('abandoned-tester');
});
afterAll(async () => {
  await sut?.stop();
});

const count = (text: string, name: string, labels: Record<string, string>) =>
  samples(text, name, labels).reduce((n, s) => n + s.value, 0);
const lookups = async () => {
  const m = await scrape(sut.urls.inventory);
  return {
    ran: count(m, 'db_query_duration_seconds_count', { operation: 'stock_lookup' }),
    abandoned: count(m, 'http_server_requests_abandoned_total', { route: '/inventory/stock/:productId' }),
    busy: count(m, 'db_pool_connections', { state: 'used' }) + count(m, 'db_pool_pending_requests', {}),
  };
};

describe('requests whose client left', () => {
  it('are dropped before their database work: answered 499, their slow queries never run', async () => {
    // One connection and sequential scans over 500k rows: forty lookups queue behind each other.
    expect((await patchConfig(sut.urls.inventory, { stockIndex: 'dropped', dbPoolMax: 1 }, token)).status).toBe(200);
    const before = await lookups();
    const n = 40;
    const gaveUp = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fetch(`${sut.urls.inventory}/inventory/stock/${i + 1}`, { signal: AbortSignal.timeout(100) }).then(
          () => false,
          () => true,
        ),
      ),
    );
    const left = gaveUp.filter(Boolean).length;
    expect(left).toBeGreaterThan(n / 2); // the queue is long enough that most clients leave
    // Every request has been dealt with once no connection is in use and nobody waits for one.
    await vi.waitFor(async () => expect((await lookups()).busy).toBe(0), { timeout: 30_000, interval: 200 });
    const after = await lookups();
    expect(after.abandoned - before.abandoned).toBeGreaterThan(0);
    // Only requests still waited for, or already running when their client left, ran their query.
    expect(after.ran - before.ran).toBeLessThan(n - (after.abandoned - before.abandoned) + 1);
    expect(after.ran - before.ran).toBeLessThan(n / 2);
    await resetConfig(sut.urls.inventory, token);
  });
});
