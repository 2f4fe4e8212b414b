import { expect, test } from '@playwright/test';
import { e2e, e2eCapacityRps } from './support/env.ts';
import { activeEvents, ensureIdle, hydrated, openTab, shot, startIncident } from './support/learner.ts';

interface Journey {
  scenario: string;
  lesson: string;
  /** The catalog panel that shows the cause. */
  evidence: string;
  service: string;
  knob: string;
  faultValue: string;
  wrong: string;
  fix: string;
  /** Whether users see errors (success % under the SLO) or only slowness (p95 over the SLO). */
  breach: 'errors' | 'latency';
}

// Two incidents in different services: a pool in front of the api, and the api's own database pool.
const journeys: Journey[] = [
  {
    scenario: 'gateway-pool-lowered',
    lesson: '02-gateway-pool-lowered',
    evidence: 'gateway-upstream-pool',
    service: 'gateway',
    knob: 'upstreamPoolSize',
    faultValue: '2',
    wrong: '0',
    fix: '64',
    breach: 'latency',
  },
  {
    scenario: 'db-connection-exhaustion',
    lesson: '06-db-connection-exhaustion',
    evidence: 'db-pool-connections',
    service: 'api',
    knob: 'dbPoolMax',
    faultValue: '1',
    wrong: '500',
    fix: '20',
    breach: 'errors',
  },
];

test.describe.configure({ mode: 'serial' });

for (const j of journeys) {
  test(`a learner resolves ${j.scenario} through the UI only`, async ({ page }, info) => {
    test.setTimeout(420_000);
    await ensureIdle();

    // 1. Open the lesson.
    await page.goto(`${e2e.base}/lessons/${j.lesson}/`);
    await hydrated(page, 'run-bar');
    await hydrated(page, 'scenario-runner');
    const runner = page.locator('[data-widget="scenario-runner"]');
    await expect(runner.locator('blockquote')).not.toBeEmpty();
    await shot(page, info, '01-lesson');

    // 2. Start: baseline first, then the fault (pressed once; an aborted baseline fails the test).
    await startIncident(page);
    // The lesson says what this machine can serve and the load the run uses.
    await expect(runner.locator('[data-run-load]')).toContainText(`This machine: ${e2eCapacityRps} req/s (configured)`);
    await shot(page, info, '02-started');

    // 3. The User tab: what users experience falls under the SLO (errors: the success rate; latency: p95).
    await openTab(page, 'User');
    await hydrated(page, 'user-impact', '#panel-user');
    const tiles = page.locator('#panel-user [data-widget="user-impact"] .tiles');
    await expect(tiles).toHaveAttribute('data-slo', 'breached', { timeout: 90_000 });
    if (j.breach === 'errors') {
      const success = tiles.locator('[data-metric="success-pct"]');
      await expect
        .poll(async () => parseFloat((await success.textContent()) ?? ''), {
          timeout: 60_000,
          message: 'success % under the 99 % SLO',
        })
        .toBeLessThan(99);
    } else {
      await expect
        .poll(async () => parseFloat((await tiles.locator('[data-metric="p95"]').textContent()) ?? ''), {
          timeout: 60_000,
        })
        .toBeGreaterThan(250);
    }
    await expect(page.locator('#panel-user .recharts-surface').first()).toBeVisible();
    await shot(page, info, '03-user-impact');

    // 4. A hint is pushed over the WebSocket.
    await openTab(page, 'Lesson');
    await hydrated(page, 'hint-feed', '#panel-lesson');
    const feed = page.locator('#panel-lesson [data-widget="hint-feed"]');
    await expect(feed.locator('[data-kind="hint"]').first()).toBeVisible({ timeout: 120_000 });
    await feed.scrollIntoViewIfNeeded();
    await shot(page, info, '04-hint');

    // 5. The evidence panel, drawn from the hub, in the Observability tab.
    await openTab(page, 'Observability');
    const panel = page.locator(`#panel-observability [data-panel-id="${j.evidence}"]`);
    await panel.scrollIntoViewIfNeeded();
    await expect
      .poll(async () => Number(await panel.getAttribute('data-points')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect(panel.locator('.recharts-line').first()).toBeVisible();
    await shot(page, info, '05-evidence');

    // The change log, as a team keeps one: the incident's change shows as a config push by the platform team.
    await hydrated(page, 'change-log', '#panel-observability');
    const pushed = page
      .locator('#panel-observability [data-widget="change-log"] li[data-kind="config"]')
      .filter({ hasText: `${j.knob}: ` })
      .filter({ hasText: `→ ${j.faultValue}` });
    await expect(pushed.first()).toContainText('by platform-team');
    await expect(page.locator('#panel-observability [data-widget="change-log"]')).not.toContainText(/fault|scenario/i);

    // 6. A wrong value: the service's reason appears beside the field and nothing changes.
    await openTab(page, 'Lesson');
    const form = page.locator(`#panel-lesson form[data-service="${j.service}"]`);
    await hydrated(page, 'fix-action', '#panel-lesson');
    const input = form.locator(`[data-field="${j.knob}"] input`);
    await input.scrollIntoViewIfNeeded();
    await expect(form.locator(`[data-current="${j.knob}"]`)).toHaveText(j.faultValue);
    // During the run the form gives no answer away: no defaults, and no "Reset the shop".
    await expect(form).toHaveAttribute('data-defaults-shown', 'no');
    await expect(form).not.toContainText('default');
    await expect(runner.getByRole('button', { name: 'Reset the shop' })).toHaveCount(0);
    await input.fill(j.wrong);
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect(form.locator(`[data-field-error="${j.knob}"]`)).toContainText(/expected|must|>=|<=|too/i);
    await expect(form.locator('[data-form-error]')).toContainText('Nothing was changed');
    await expect(form.locator(`[data-current="${j.knob}"]`)).toHaveText(j.faultValue);
    expect((await activeEvents()).filter((e) => e.type === 'config_changed' && e.data.who === 'learner')).toHaveLength(
      0,
    );
    await shot(page, info, '06-wrong-value');

    // 7. The fix, through the same form.
    await input.fill(j.fix);
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect(form.locator('[data-applied]')).toBeVisible();
    await expect(form.locator(`[data-current="${j.knob}"]`)).toHaveText(j.fix);
    await shot(page, info, '07-fix-applied');

    // 8. The platform judges the fix on the live SLO: resolved.
    await expect(runner.locator('[data-run-state]')).toHaveAttribute('data-run-state', 'resolved', {
      timeout: 120_000,
    });
    await runner.scrollIntoViewIfNeeded();
    await expect(runner.locator('.resolution')).toContainText('Resolved');
    // After the run the defaults come back, for the debrief.
    await expect(form).toHaveAttribute('data-defaults-shown', 'yes');
    await expect(form.locator(`[data-field="${j.knob}"]`)).toContainText('default');
    await shot(page, info, '08-resolved');

    // 9. The timeline has the change and the resolution; the User tab marks the change.
    await openTab(page, 'User');
    const timeline = page.locator('#panel-user [data-widget="timeline"]');
    await hydrated(page, 'timeline', '#panel-user');
    await expect(timeline.locator('li[data-type="config_changed"]').filter({ hasText: 'learner changed' })).toHaveCount(
      1,
    );
    await expect(
      timeline.locator('li[data-type="config_changed"]').filter({ hasText: `${j.knob} ${j.faultValue} -> ${j.fix}` }),
    ).toHaveCount(1);
    await expect(timeline.locator('li[data-type="resolved"]')).toHaveCount(1);
    await timeline.scrollIntoViewIfNeeded();
    await shot(page, info, '09-timeline');
  });
}
