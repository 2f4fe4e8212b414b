import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { e2e } from './support/env.ts';
import { hydrated } from './support/learner.ts';
import { scrollThrough } from './support/pages.ts';

const budgetBytes = 150 * 1024;

test('a lesson page loads under 150 KB of gzipped JavaScript', async ({ page }, info) => {
  const scripts = new Map<string, Promise<number>>();
  page.on('response', (res) => {
    if (res.request().resourceType() === 'script' || res.url().endsWith('.js')) {
      scripts.set(
        res.url(),
        res.body().then(
          (b) => gzipSync(b, { level: 9 }).length,
          () => 0,
        ),
      );
    }
  });
  await page.goto(`${e2e.base}/lessons/02-gateway-pool-lowered/`);
  await hydrated(page, 'run-bar');
  await hydrated(page, 'scenario-runner');
  await page.waitForLoadState('networkidle');
  const sum = async () => (await Promise.all(scripts.values())).reduce((a, b) => a + b, 0);
  const initial = await sum();

  // Informational: what the page fetches once every chart has been drawn (the chart library loads on demand).
  await scrollThrough(page);
  await page.waitForLoadState('networkidle');
  const all = await sum();
  info.annotations.push({
    type: 'js-gzip',
    description: `initial ${(initial / 1024).toFixed(1)} KB, after drawing every chart ${(all / 1024).toFixed(1)} KB`,
  });
  console.log(
    `lesson page JS (gzip): initial ${(initial / 1024).toFixed(1)} KB; with charts ${(all / 1024).toFixed(1)} KB`,
  );
  expect(initial).toBeGreaterThan(0);
  expect(initial).toBeLessThan(budgetBytes);
});
