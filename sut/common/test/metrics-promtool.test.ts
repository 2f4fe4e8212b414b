import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, patchConfig, postJson } from './helpers/http.ts';
import { samples, scrape } from './helpers/prom-text.ts';
import { findPromtool } from '../../../test-support/peer-tool.ts';

const promtool = findPromtool();

let sut: TestSut;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  // Traffic on every route family, one error, one config change: histograms, counters and labels all populated.
  await call(`${sut.urls.gateway}/api/products?search=lamp`);
  await call(`${sut.urls.gateway}/api/products/3`);
  await call(`${sut.urls.gateway}/api/products/abc`);
  await call(`${sut.urls.gateway}/api/recommendations/3`);
  await postJson(`${sut.urls.gateway}/api/orders`, { customerId: 'promtool', items: [{ productId: 3, quantity: 1 }] });
  await patchConfig(sut.urls.gatewayAdmin, { retryCount: 1 }, await sut.token());
});
afterAll(async () => {
  await sut?.stop();
});

/** Debian's promtool: `check metrics` reads the exposition on stdin and lints it (exit 0 and no output when clean). */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/**
 * The services speak OpenMetrics (for exemplars); promtool 2.42 lints only the 0.0.4 text format. The same
 * exposition in that format: without exemplars and `# EOF`, counters' HELP and TYPE under their sample name
 * (`x_total`). Whether the OpenMetrics document itself parses is a real Prometheus's call: it scrapes these
 * services in orchestrator/test/telemetry-sut-crosscheck.test.ts and stores their exemplars.
 */
function asTextFormat(openMetrics: string): string {
  const counters = new Set([...openMetrics.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]));
  return openMetrics
    .split('\n')
    .filter((l) => l !== '# EOF')
    .map((l) => {
      const meta = /^# (HELP|TYPE) (\S+)(.*)$/.exec(l);
      if (meta && counters.has(meta[2])) return `# ${meta[1]} ${meta[2]}_total${meta[3]}`;
      return l.replace(/ # \{.*$/, '');
    })
    .join('\n');
}

describe.skipIf(!promtool)('promtool check metrics', () => {
  it('promtool catches a bad exposition (the check is real)', () => {
    const bad = promtoolCheck('# TYPE requests counter\nrequests 1\n');
    expect(bad.output).toMatch(/counter metrics should have "_total" suffix/);
  });

  // The admin ports serve the main thread's exposition plus the admin thread's own; api and inventory also serve theirs on the shop port.
  it.each(['gateway', 'api', 'inventory', 'apiAdmin', 'inventoryAdmin'] as const)(
    '%s /metrics is clean',
    async (target) => {
      const url = sut.urls[target === 'gateway' ? 'gatewayAdmin' : target];
      const service = target.replace('Admin', '');
      const text = await scrape(url);
      expect(text, 'one OpenMetrics document').toMatch(/^(?![\s\S]*# EOF[\s\S]*# EOF)[\s\S]*\n# EOF\n$/);
      expect(samples(text, 'http_server_request_duration_seconds_count').length).toBeGreaterThan(0);
      expect(samples(text, 'build_info').map((s) => s.labels.service)).toEqual([service]);
      expect(promtoolCheck(asTextFormat(text))).toEqual({ status: 0, output: '' });
    },
  );
});
