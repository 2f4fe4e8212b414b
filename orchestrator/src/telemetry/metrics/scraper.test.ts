import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMatcher } from './label-matcher.ts';
import { SeriesStore } from './series-store.ts';
import { Scraper } from './scraper.ts';

let servers: Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

async function serve(
  handler: (n: number) => { status?: number; body: string; delayMs?: number },
): Promise<{ url: string; stats: { n: number; inFlight: number; maxInFlight: number } }> {
  const stats = { n: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((_req, res) => {
    const r = handler(stats.n++);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    setTimeout(() => {
      stats.inFlight--;
      res.statusCode = r.status ?? 200;
      res.end(r.body);
    }, r.delayMs ?? 0);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`, stats };
}

const names = (store: SeriesStore, name: string) =>
  store.select([createMatcher('=', '__name__', name)]).map((s) => s.reader());

describe('Scraper', () => {
  it('adds job and instance, keeps a clashing job label as exported_job, and writes up', async () => {
    const { url } = await serve(() => ({ body: 'm{job="x",a="1"} 5\n' }));
    const store = new SeriesStore();
    let now = 10_000;
    const scraper = new Scraper(store, [{ job: 'svc', url }], { now: () => now });
    await scraper.scrapeAll();
    const [m] = names(store, 'm');
    expect(m.labels).toEqual({ __name__: 'm', a: '1', exported_job: 'x', job: 'svc', instance: new URL(url).host });
    expect(m.valueAt(0)).toBe(5);
    expect(names(store, 'up')[0].valueAt(0)).toBe(1);
    now = 11_000;
    expect(scraper.health()[0]).toMatchObject({ job: 'svc', up: true, lastError: null });
  });

  it('marks vanished series stale and writes up=0 with every series stale when a scrape fails', async () => {
    const bodies = ['a 1\nb 1\n', 'a 2\n', ''];
    const { url } = await serve((n) => (n < 2 ? { body: bodies[n] } : { status: 500, body: 'boom' }));
    const store = new SeriesStore();
    let now = 1000;
    const scraper = new Scraper(store, [{ job: 'svc', url }], { now: () => now });
    await scraper.scrapeAll();
    now = 2000;
    await scraper.scrapeAll();
    const [b] = names(store, 'b');
    expect([b.length, b.isStaleAt(1), b.timeAt(1)]).toEqual([2, true, 2000]);
    now = 3000;
    await scraper.scrapeAll();
    const [a] = names(store, 'a');
    expect([a.length, a.isStaleAt(2)]).toEqual([3, true]);
    const [up] = names(store, 'up');
    expect([up.valueAt(0), up.valueAt(1), up.valueAt(2)]).toEqual([1, 1, 0]);
    expect(scraper.health()[0].lastError).toBe('server returned HTTP status 500');
  });

  it('collects in-process targets', async () => {
    const store = new SeriesStore();
    const scraper = new Scraper(store, [
      { job: 'loadgen', instance: 'orchestrator', collect: () => 'loadgen_in_flight 3\n' },
    ]);
    await scraper.scrapeAll();
    expect(names(store, 'loadgen_in_flight')[0].labels.instance).toBe('orchestrator');
  });

  it('never overlaps scrapes of one target and times out slow ones', async () => {
    const { url, stats } = await serve(() => ({ body: 'a 1\n', delayMs: 150 }));
    const store = new SeriesStore();
    const scraper = new Scraper(store, [{ job: 'slow', url }], { intervalMs: 100, timeoutMs: 50 });
    scraper.start();
    while (stats.n < 3) await new Promise((r) => setTimeout(r, 20));
    await scraper.stop();
    expect(stats.maxInFlight).toBeLessThanOrEqual(2); // an aborted request may still be finishing server-side
    expect(scraper.health()[0].up).toBe(false);
    expect(names(store, 'a')).toEqual([]);
    expect(() => new Scraper(store, [], { intervalMs: 100, timeoutMs: 100 })).toThrow(
      /shorter than the scrape interval/,
    );
  });
});
