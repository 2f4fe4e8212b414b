import { expect, test } from '@playwright/test';
import { e2e } from './support/env.ts';
import { hydrated, shot } from './support/learner.ts';

test('the site hosted on another origin drives the platform through CORS', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${e2e.staticBase}/lessons/02-gateway-pool-lowered/`);
  await hydrated(page, 'run-bar');
  await expect(page.locator('[data-widget="run-bar"] .conn-open')).toBeVisible();
  const runner = page.locator('[data-widget="scenario-runner"]');
  await expect(runner.locator('blockquote')).toContainText('Tuesday');
  // A write: the session token and the POST cross origins.
  await runner.getByRole('button', { name: 'Reset the shop' }).click();
  await expect(runner.getByRole('button', { name: 'Reset the shop' })).toBeEnabled();
  await expect(runner.locator('.error')).toHaveCount(0);
  await hydrated(page, 'fix-action');
  const form = page.locator('form[data-service="gateway"]');
  await expect(form.locator('[data-current="upstreamPoolSize"]')).toHaveText('64');
  await shot(page, info, 'cross-origin-lesson');
  expect(errors.filter((e) => /CORS|blocked/i.test(e))).toEqual([]);
});

test('without a backend every widget says so and shows the start command', async ({ page }, info) => {
  await page.goto(`${e2e.downBase}/lessons/02-gateway-pool-lowered/`);
  await hydrated(page, 'run-bar');
  await expect(page.locator('[data-widget="run-bar"]')).toContainText('npm install && npm start');
  const runner = page.locator('[data-widget="scenario-runner"]');
  await expect(runner.locator('[data-backend-down]')).toContainText('backend is not running');
  await expect(runner.locator('[data-backend-down] .command')).toHaveText('npm install && npm start');
  await hydrated(page, 'fix-action');
  const fix = page.locator('[data-widget="fix-action"]').first();
  await expect(fix.locator('[data-backend-down]')).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, info, 'backend-down');
});
