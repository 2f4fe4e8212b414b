import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { e2e } from '../../../e2e/support/env.ts';
import { ensureIdle, hydrated, openTab, shot, startIncident, startRun } from '../../../e2e/support/learner.ts';

// Runs against the containers started by stack/test/run-stack-test.sh (E2E_BASE_URL, OBS_PROMETHEUS_URL).
// Independent checks (one worker, in order): a failed journey does not hide the Prometheus targets check.

test('the platform runs in stack mode with every service reachable', async () => {
  type Health = { mode: string; ready: boolean; services: { name: string; state: string }[] };
  const health = async () => (await (await fetch(`${e2e.base}/api/health`)).json()) as Health;
  expect((await health()).mode).toBe('stack');
  // The orchestrator polls the services every 2 s: compose's healthy and its own view may differ by a poll.
  await expect
    .poll(async () => (await health()).services.map((s) => `${s.name}:${s.state}`).sort(), { timeout: 15_000 })
    .toEqual(['api:running', 'gateway:running', 'inventory:running']);
  expect((await health()).ready).toBe(true);
});

test('a learner resolves gateway-pool-lowered against the containers', async ({ page }, info) => {
  test.setTimeout(360_000);
  await ensureIdle();
  await page.goto(`${e2e.base}/lessons/02-gateway-pool-lowered/`);
  await hydrated(page, 'run-bar');

  // Start: baseline, then the fault.
  const runner = await startIncident(page);
  await shot(page, info, '01-started');

  // The User tab shows the breach (slowness: p95 over the SLO).
  await openTab(page, 'User');
  await hydrated(page, 'user-impact', '#panel-user');
  const tiles = page.locator('#panel-user [data-widget="user-impact"] .tiles');
  await expect(tiles).toHaveAttribute('data-slo', 'breached', { timeout: 90_000 });
  await shot(page, info, '02-breach');

  // The fix through the lesson's form.
  await openTab(page, 'Lesson');
  await hydrated(page, 'fix-action', '#panel-lesson');
  const form = page.locator('#panel-lesson form[data-service="gateway"]');
  const input = form.locator('[data-field="upstreamPoolSize"] input');
  await input.scrollIntoViewIfNeeded();
  await expect(form.locator('[data-current="upstreamPoolSize"]')).toHaveText('2');
  await input.fill('64');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(form.locator('[data-applied]')).toBeVisible();
  await expect(form.locator('[data-current="upstreamPoolSize"]')).toHaveText('64');

  // Judged on the live SLO: resolved.
  await expect(runner.locator('[data-run-state]')).toHaveAttribute('data-run-state', 'resolved', { timeout: 120_000 });
  await expect(runner.locator('.resolution')).toContainText('Resolved');
  await shot(page, info, '03-resolved');
});

test('Prometheus scrapes every target, the orchestrator included, and all are up', async () => {
  const prometheus = process.env.OBS_PROMETHEUS_URL;
  if (!prometheus) throw new Error('OBS_PROMETHEUS_URL is not set: run through `npm run test:stack`');
  type Target = { labels: { job: string }; health: string; lastError: string };
  const targets = async () =>
    ((await (await fetch(`${prometheus}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } })
      .data.activeTargets;
  await expect
    .poll(
      async () =>
        (await targets()).map((t) => `${t.labels.job}:${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).sort(),
      { timeout: 30_000 },
    )
    .toEqual(['api:up', 'gateway:up', 'inventory:up', 'loadgen:up']);
});

test("the lesson's panels read from Prometheus in stack mode (the users' throughput, with figures)", async () => {
  await expect
    .poll(
      async () => {
        const end = Math.floor(Date.now() / 1000);
        const r = await fetch(
          `${e2e.base}/api/telemetry/metrics/panels/users-throughput/data?start=${end - 300}&end=${end}&step=5`,
        );
        const { data } = (await r.json()) as {
          data: { source: string; results: { data: { result: { values: [number, string][] }[] } }[] };
        };
        const points = data.results.flatMap((q) => q.data.result.flatMap((s) => s.values)).length;
        return `${data.source}: ${points > 0 ? 'figures' : 'empty'}`;
      },
      { timeout: 30_000 },
    )
    .toBe('prometheus: figures');
});

test('a shop container killed mid-run comes back, and the run timeline says so', async () => {
  test.setTimeout(180_000);
  const project = process.env.OBS_COMPOSE_PROJECT;
  if (!project) throw new Error('OBS_COMPOSE_PROJECT is not set: run through `npm run test:stack`');
  await ensureIdle();
  const runId = await startRun('gateway-pool-lowered');
  type RunAnswer = { events: { type: string; data: { service?: string } }[] };
  // The run's own timeline (kept after it ends: a shop down during the baseline may abort it, honestly).
  const run = async () => (await (await fetch(`${e2e.base}/api/runs/${runId}`)).json()) as RunAnswer;
  try {
    // A crash, not a stop: the api's process is killed from the host (SIGKILL), so compose's restart policy
    // applies (`docker kill` would count as a manual stop).
    const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
    const container = docker(
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      'label=com.docker.compose.service=api',
    );
    expect(container).toMatch(/^[0-9a-f]+$/);
    const restartsBefore = Number(docker('inspect', '-f', '{{.RestartCount}}', container));
    process.kill(Number(docker('inspect', '-f', '{{.State.Pid}}', container)), 'SIGKILL');

    const apiEvents = async () =>
      (await run()).events.filter((e) => e.data.service === 'api' && e.type.startsWith('service_')).map((e) => e.type);
    await expect.poll(apiEvents, { timeout: 90_000 }).toEqual(['service_crashed', 'service_restarted']);
    expect(Number(docker('inspect', '-f', '{{.RestartCount}}', container))).toBe(restartsBefore + 1);
  } finally {
    await ensureIdle();
  }
});
