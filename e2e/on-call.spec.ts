import { expect, test } from '@playwright/test';
import { pickSurprise } from '../orchestrator/src/runs/surprise.ts';
import { e2e } from './support/env.ts';
import { activeEvents, ensureIdle, hydrated, openTab, shot } from './support/learner.ts';

// On call: the surprise lesson starts the run with `page`, so the site keeps the incident to itself until the SLO
// alert rules page the learner; the page arrives in the pager (and as a desktop notification), is acknowledged,
// and the time to acknowledge is shown.
test('an on-call learner hears of the incident only from the page, and acknowledges it', async ({
  page,
  context,
}, info) => {
  test.setTimeout(300_000);
  await ensureIdle();
  // A seed whose hidden incident is the gateway pool (users get slow, and some time out: an SLO page).
  const ids = (
    (await (await fetch(`${e2e.base}/api/scenarios`)).json()) as { scenarios: { id: string }[] }
  ).scenarios.map((s) => s.id);
  const seed = Array.from({ length: 1000 }, (_, i) => i).find((i) => pickSurprise(ids, i) === 'gateway-pool-lowered');
  expect(seed, 'a seed that picks gateway-pool-lowered').toBeDefined();

  // The learner allowed notifications; every notification the page shows is recorded (the real one is shown too).
  await context.grantPermissions(['notifications'], { origin: e2e.base });
  await page.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
    window.Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(title);
      }
    } as typeof Notification;
  });

  // An earlier test's incident may still be burning the budget: go on call once no alert is pending or firing.
  await expect
    .poll(
      async () =>
        ((await (await fetch(`${e2e.base}/api/telemetry/alerts`)).json()) as { data: { alerts: unknown[] } }).data
          .alerts.length,
      { timeout: 120_000, intervals: [1000] },
    )
    .toBe(0);
  await page.goto(`${e2e.base}/lessons/09-surprise/`);
  await hydrated(page, 'run-bar');
  await hydrated(page, 'scenario-runner');
  const runner = page.locator('[data-widget="scenario-runner"]');
  const bar = page.locator('[data-widget="run-bar"]');
  await runner.locator('#surprise-seed').fill(String(seed));
  await runner.getByRole('button', { name: 'Go on call' }).click();
  await expect(bar.locator('[data-on-call]')).toContainText('You are on call');

  // The fault is in, and the site still says nothing but "on call".
  await expect
    .poll(async () => (await activeEvents()).some((e) => e.type === 'fault_applied'), { timeout: 90_000 })
    .toBe(true);
  // The SLO pages hold 20 s before they fire, so the site is still quiet right after the fault: it must say so.
  await expect(runner.locator('[data-run-state]')).toHaveAttribute('data-run-state', 'on-call');
  await expect(bar).not.toContainText(/incident in progress|SLO breached/i);
  await hydrated(page, 'hint-feed', '#panel-lesson');
  await expect(page.locator('#panel-lesson [data-widget="hint-feed"] [data-kind="fault_applied"]')).toHaveCount(0);
  await shot(page, info, '01-on-call-quiet');

  // The page: in the lesson's pager, then the run bar speaks.
  await hydrated(page, 'pager', '#panel-lesson');
  const pager = page.locator('#panel-lesson [data-widget="pager"]');
  await expect(pager.locator('[data-testid="pager-notifications-on"]')).toBeVisible();
  await expect(pager).toContainText('Pager: you are paged', { timeout: 90_000 });
  const slo = pager.locator('[data-alertname^="Users"][data-alertname$="BudgetBurn"]').first();
  await expect(slo).toContainText('page');
  await expect(slo.locator('a')).toHaveAttribute('href', /\/lessons\//);
  await expect(bar).toContainText('incident in progress');
  // One desktop notification per page, although the lesson shows the pager twice (lesson and Observability tab).
  const shown = () => page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications);
  await expect.poll(shown).toContainEqual(expect.stringMatching(/^Paged: Users(Error|Latency)BudgetBurn$/));
  const pages = async () =>
    (await activeEvents()).filter((e) => e.type === 'alert_firing' && e.data.severity === 'page').length;
  await expect.poll(async () => (await shown()).length - (await pages())).toBe(0);
  await shot(page, info, '02-paged');

  // The page came from the incident: it fired after the fault, not from a cold start before it.
  const timeline = await activeEvents();
  const faultAt = timeline.find((e) => e.type === 'fault_applied')?.at ?? Infinity;
  const firstPage = timeline.find((e) => e.type === 'alert_firing' && e.data.severity === 'page');
  console.log(`on-call e2e: paged ${(((firstPage?.at ?? NaN) - faultAt) / 1000).toFixed(1)} s after the fault`);
  expect(firstPage?.at).toBeGreaterThanOrEqual(faultAt);

  await pager.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(pager.locator('[data-testid="pager-tta"]')).toContainText('Acknowledged after');
  expect((await activeEvents()).filter((e) => e.type === 'alert_acknowledged')).toHaveLength(1);
  await openTab(page, 'Observability');
  await expect(page.locator('#panel-observability [data-widget="pager"] [data-testid="pager-tta"]')).toBeVisible();
  await shot(page, info, '03-acknowledged');
  await ensureIdle();
});
