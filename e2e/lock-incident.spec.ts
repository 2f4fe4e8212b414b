import { expect, test } from '@playwright/test';
import { e2e } from './support/env.ts';
import { activeEvents, ensureIdle, hydrated, openTab, shot, startIncident } from './support/learner.ts';

// The lock incident, walked as a learner would: nothing to find in a form, the blocker found in the DB view and
// terminated there, the run judged on the live SLO.
test('a learner ends the analytics lock from the DB view', async ({ page }, info) => {
  test.setTimeout(420_000);
  await ensureIdle();

  await page.goto(`${e2e.base}/lessons/11-analytics-lock/`);
  await hydrated(page, 'run-bar');
  const runner = await startIncident(page);
  const state = runner.locator('[data-run-state]');

  // The users see checkouts fail.
  await openTab(page, 'User');
  await hydrated(page, 'user-impact', '#panel-user');
  const tiles = page.locator('#panel-user [data-widget="user-impact"] .tiles');
  await expect(tiles).toHaveAttribute('data-slo', 'breached', { timeout: 90_000 });

  // Nothing was deployed or pushed since the incident started: a job is not a change. (The change log is the
  // shop's, so earlier lessons' entries may be there; none may be newer than the fault.)
  await openTab(page, 'Observability');
  await hydrated(page, 'change-log', '#panel-observability');
  const faultAt = (await activeEvents()).find((e) => e.type === 'fault_applied')!.at;
  const changes = (await (await fetch(`${e2e.base}/api/changes`)).json()) as { changes: { at: number }[] };
  expect(changes.changes.filter((c) => c.at >= faultAt)).toEqual([]);

  // The DB view shows one session blocking the others; its statement names the table.
  await openTab(page, 'Lesson');
  await hydrated(page, 'db-activity', '#panel-lesson');
  const view = page.locator('#panel-lesson [data-widget="db-activity"]');
  await view.scrollIntoViewIfNeeded();
  const blocker = view.locator('tr[data-pid][data-blocking]').first();
  await expect(blocker).toBeVisible({ timeout: 30_000 });
  await expect(blocker).toContainText('analytics-rollup');
  await expect(view.locator('tr[data-pid][data-waits-for]').first()).toBeVisible();
  const pid = await blocker.getAttribute('data-pid');
  await shot(page, info, '01-db-view-blocker');

  // Terminate it: confirm, the outcome says so, and the timeline records the learner's action.
  await view.getByRole('button', { name: `Terminate backend ${pid}`, exact: true }).click();
  await view.getByRole('button', { name: `Confirm terminate ${pid}`, exact: true }).click();
  await expect(view.locator('[data-outcome="terminate"][data-outcome-kind="ok"]')).toContainText(
    `Terminated backend ${pid}`,
  );
  await shot(page, info, '02-terminated');
  const actions = (await activeEvents()).filter((e) => e.type === 'action_taken');
  expect(actions.map((e) => e.data)).toEqual([
    { action: 'terminate-backend', target: pid, who: 'learner', counted: true },
  ]);

  // The judge decides on the live SLO.
  await expect(state).toHaveAttribute('data-run-state', 'resolved', { timeout: 120_000 });
  await expect(runner.locator('.resolution')).toContainText('Resolved');
  await openTab(page, 'User');
  const timeline = page.locator('#panel-user [data-widget="timeline"]');
  await hydrated(page, 'timeline', '#panel-user');
  await expect(timeline.locator('li[data-type="action_taken"]')).toContainText(`terminated PostgreSQL backend ${pid}`);
  await expect(timeline.locator('li[data-type="resolved"]')).toHaveCount(1);
  await shot(page, info, '03-resolved');
});
