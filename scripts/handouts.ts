// Renders each lesson, and a run's postmortem, to PDF with Chromium (Playwright page.pdf) into dist/handouts/.
// Usage: npm run handouts [-- --base http://127.0.0.1:4000] [-- --run <run id>]
// With a running platform (default http://127.0.0.1:4000) the widgets carry live content (the story, the
// questions, the postmortem); without one the built site (dist/site) is served here and the handouts carry
// the prose and each panel's explanation.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { freePort } from '../e2e/support/free-port.ts';
import { serveStatic } from '../e2e/support/static-server.ts';

const root = resolve(import.meta.dirname, '..');
const siteDir = join(root, 'dist/site');
const outDir = join(root, 'dist/handouts');
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function reachable(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Scrolls through the page so every island hydrates, then waits for the widgets to settle. */
async function settle(page: Page): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0; y < height; y += 600) {
    await page.evaluate((to) => window.scrollTo(0, to), y);
    await page.waitForTimeout(80);
  }
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.scrollTo(0, 0));
}

async function pdf(page: Page, url: string, file: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await settle(page);
  await page.evaluate(() =>
    document.querySelectorAll('details').forEach((d) => {
      d.open = true;
    }),
  );
  await page.emulateMedia({ media: 'print' });
  await page.pdf({
    path: file,
    format: 'A4',
    printBackground: true,
    margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
  });
  await page.emulateMedia({ media: 'screen' });
  console.log(`  ${file.replace(`${root}/`, '')}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: process.env.OBS_HANDOUTS_BASE ?? 'http://127.0.0.1:4000' },
      run: { type: 'string' },
    },
  });
  if (!existsSync(join(siteDir, 'index.html')))
    throw new Error('the site is not built: run `npm run build:site` first');
  const live = await reachable(values.base!);
  let server: Server | undefined;
  let base = values.base!.replace(/\/+$/, '');
  if (!live) {
    const port = await freePort();
    server = await serveStatic(siteDir, port);
    base = `http://127.0.0.1:${port}`;
    console.log(`No platform at ${values.base}: rendering the built site without live widgets.`);
  }
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const lessons = readdirSync(join(siteDir, 'lessons')).sort();
    console.log(`Rendering ${lessons.length} lessons to dist/handouts/:`);
    for (const id of lessons) await pdf(page, `${base}/lessons/${id}/`, join(outDir, `${id}.pdf`));
    if (live) {
      const runId =
        values.run ??
        (
          (await (await fetch(`${base}/api/runs?limit=20`)).json()) as {
            runs: { id: string; endedAt: number | null }[];
          }
        ).runs.find((r) => r.endedAt !== null)?.id;
      if (runId) await pdf(page, `${base}/postmortem/?run=${runId}`, join(outDir, `postmortem-${runId}.pdf`));
      else console.log('No finished run yet: no postmortem handout.');
    } else if (values.run) {
      console.log('A postmortem needs the platform running (npm start).');
    }
  } finally {
    await browser.close();
    server?.close();
  }
}

await main();
