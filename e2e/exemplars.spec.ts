import { expect, test } from '@playwright/test';
import { e2e } from './support/env.ts';
import { ensureIdle, hydrated, openTab, shot, startRun } from './support/learner.ts';

// Exemplars: a latency panel draws the sampled requests of its histogram as points; clicking one opens that very
// request's trace in the trace view (the services attach trace ids to their latency buckets, the hub keeps them).
test('a latency exemplar opens its trace', async ({ page }, info) => {
  test.setTimeout(180_000);
  await ensureIdle();
  // Shop traffic: a run's healthy baseline is enough (its users' requests are sampled at 20 %).
  await startRun('gateway-pool-lowered');
  try {
    await page.goto(`${e2e.base}/lessons/02-gateway-pool-lowered/`);
    await hydrated(page, 'run-bar');
    await openTab(page, 'Observability');
    const panel = page.locator('#panel-observability [data-panel-id="gateway-latency-per-hop"]');
    await panel.scrollIntoViewIfNeeded();
    await expect
      .poll(async () => Number(await panel.getAttribute('data-exemplars')), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(4);
    // A point per 5 s slot, the slot's slowest trace: the newest slots may still change as requests arrive, an
    // older one does not (site/src/lib/exemplars.ts). Pinned by its trace id: the chart keeps refreshing.
    const traceId = await panel.locator('[data-exemplar-trace]').nth(-3).getAttribute('data-exemplar-trace');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const point = panel.locator(`[data-exemplar-trace="${traceId}"]`).first();
    await expect(point).toHaveAttribute('aria-label', /ms, trace .*open the trace/);
    await shot(page, info, '01-exemplars');
    // The keyboard path (each point is a button): a mouse click can land on a newer diamond drawn over this one.
    await point.focus();
    await point.press('Enter');
    const waterfall = page.locator(
      `#panel-observability [data-widget="trace-view"] .waterfall[data-trace-id="${traceId}"]`,
    );
    await expect(waterfall).toBeVisible({ timeout: 15_000 });
    await expect(waterfall).toContainText('gateway');
    await shot(page, info, '02-trace');
  } finally {
    await ensureIdle();
  }
});
