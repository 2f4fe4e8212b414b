import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { apiRequest, sessionToken as platformSessionToken } from '../../orchestrator/src/client/platform-client.ts';
import { e2e } from './env.ts';

/** Scrolls the widget into view (islands hydrate when seen) and waits until it has hydrated (data-hydrated). */
export async function hydrated(page: Page, widget: string, scope = '') {
  const w = page.locator(`${scope} [data-widget="${widget}"]`.trim()).first();
  // Hydration may replace the server-rendered element under us: scroll again until the hydrated one is there.
  await expect(async () => {
    await w.scrollIntoViewIfNeeded({ timeout: 3000 });
    await expect(w).toHaveAttribute('data-hydrated', 'true', { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
}

/**
 * Presses "Start the incident" in the lesson's scenario runner, once, and waits for the fault to be applied (a
 * baseline that misses its SLO aborts the run: a platform defect, reported with the runner's status, not hidden
 * by pressing again). Returns the runner.
 */
export async function startIncident(page: Page): Promise<Locator> {
  await hydrated(page, 'scenario-runner');
  const runner = page.locator('[data-widget="scenario-runner"]');
  await runner.getByRole('button', { name: 'Start the incident' }).click();
  const state = runner.locator('[data-run-state]');
  await expect(state).toHaveAttribute('data-run-state', /injected|aborted/, { timeout: 90_000 });
  expect(
    await state.getAttribute('data-run-state'),
    `run aborted: ${await runner.locator('.run-status').textContent()}`,
  ).toBe('injected');
  return runner;
}

export async function openTab(page: Page, name: 'Lesson' | 'Observability' | 'User') {
  await page.getByRole('tab', { name }).click();
  await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

/** Leaves the platform idle before a journey: stops an active run and resets the shop's config (API, not UI). */
export async function ensureIdle(base = e2e.base) {
  const auth = { authorization: `Bearer ${await sessionToken(base)}` };
  const active = (await (await fetch(`${base}/api/runs/active`)).json()) as {
    run: { id: string; state: string } | null;
  };
  if (active.run && ['pending', 'baseline', 'injected'].includes(active.run.state))
    await fetch(`${base}/api/runs/${active.run.id}/stop`, { method: 'POST', headers: auth });
  // A service that has just come back (a test killed it) may not answer its admin port yet: the reset then
  // answers 503 shop_unavailable, and only that is tried again, for up to 30 s.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await fetch(`${base}/api/reset`, { method: 'POST', headers: auth });
    const body = await r.text();
    if (r.status === 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    expect(r.status, body).toBe(200);
    return;
  }
}

/** Saves a full-page screenshot of the step into the test's output folder (kept as an artifact). */
export async function shot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: false });
  await info.attach(name, { path, contentType: 'image/png' });
}

export async function activeEvents(
  base = e2e.base,
): Promise<{ type: string; at: number; data: Record<string, unknown> }[]> {
  const a = (await (await fetch(`${base}/api/runs/active`)).json()) as {
    events: { type: string; at: number; data: Record<string, unknown> }[];
  };
  return a.events;
}

/** A session token for the test's own setup calls (the browser gets its own), from the platform's one client. */
export function sessionToken(base = e2e.base): Promise<string> {
  return platformSessionToken(base);
}

/** Starts a run through the API (setup, not the journey under test); returns its id. */
export async function startRun(scenarioId: string, base = e2e.base): Promise<string> {
  const r = await apiRequest(base, 'POST', '/api/runs', { scenarioId });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body as { id: string }).id;
}
