import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

/** Every page of the site: home, postmortem, and one per lesson in content/lessons (known before the build). */
export function sitePages(root = process.cwd()): string[] {
  const lessons = readdirSync(join(root, 'content/lessons'))
    .filter((f) => f.endsWith('.mdx'))
    .map((f) => f.replace(/\.mdx$/, ''))
    .sort();
  return ['/', '/postmortem/', ...lessons.map((l) => `/lessons/${l}/`)];
}

/** Scrolls to the bottom step by step so every client:visible island hydrates, then back to the top. */
export async function scrollThrough(page: Page) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 700) {
    await page.evaluate((to) => window.scrollTo(0, to), y);
    await page.waitForTimeout(60);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}
