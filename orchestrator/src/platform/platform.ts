import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { Router } from 'express';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../sut/common/src/db/embedded-postgres.ts';
import { ensureDatabase, migrate } from '../../../sut/common/src/db/migrate.ts';
import { loadOrCreateSecret } from '../../../sut/common/src/auth/secret.ts';
import { adminBaseUrl, type SutPorts } from '../../../sut/common/src/launcher/services.ts';
import type { OrchestratorEnv } from '../config.ts';
import { buildApp } from '../app.ts';
import { createLoadGenerator, type LoadGenerator } from '../load/index.ts';
import { loadScenarios, formatProblems, type ScenarioProblem } from '../scenarios/loader.ts';
import { loadPacks } from '../scenarios/packs.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { SutControl } from '../services/sut-control.ts';
import { RunStore, controlMigrationsDir } from '../store/run-store.ts';
import { RunEngine } from '../runs/run-engine.ts';
import { Supervisor, type SupervisorEvent } from '../supervisor/supervisor.ts';
import { PostgresSupervisor } from '../supervisor/postgres-supervisor.ts';
import { WsHub } from '../ws/ws-hub.ts';
import { runsRoutes } from '../api/runs-routes.ts';
import { scenariosRoutes } from '../api/scenarios-routes.ts';
import { servicesRoutes } from '../api/services-routes.ts';
import { openapiRoutes } from '../api/openapi-routes.ts';
import { checkDataDir, checkNode, checkPorts } from '../boot/preflight.ts';
import { createProgress } from '../boot/progress.ts';
import { createEmbeddedTelemetry, type EmbeddedTelemetry } from './telemetry.ts';
import { protocolVersion, type ServerMessage, type ServiceStatus } from '../protocol/ws-messages.ts';

export interface Platform {
  url: string;
  port: number;
  ports: SutPorts;
  databaseUrl: string;
  engine: RunEngine;
  /** The simulated users (driven by the run engine; tests and benchmarks may drive it directly). */
  load: LoadGenerator;
  supervisor: Supervisor;
  /** The embedded PostgreSQL's supervisor; null when the platform uses an external DATABASE_URL. */
  postgres: PostgresSupervisor | null;
  telemetry: EmbeddedTelemetry;
  server: Server;
  scenarios(): Scenario[];
  stop(): Promise<void>;
}

/**
 * Boots the embedded platform, in order, with progress: preflight checks, PostgreSQL, migrations, scenarios,
 * the listener (site, /api, /ws, /v1/traces), the SUT children, the telemetry hub; then resumes any active run.
 */
export async function startPlatform(env: OrchestratorEnv, write?: (line: string) => void): Promise<Platform> {
  checkNode();
  const progress = createProgress(7, write);
  const dataDir = resolve(env.OBS_DATA_DIR);
  const ports: SutPorts = {
    gateway: env.OBS_GATEWAY_PORT, gatewayAdmin: env.OBS_GATEWAY_ADMIN_PORT,
    api: env.OBS_API_PORT, apiAdmin: env.OBS_API_ADMIN_PORT,
    inventory: env.OBS_INVENTORY_PORT, inventoryAdmin: env.OBS_INVENTORY_ADMIN_PORT,
  };
  await progress.step('preflight: data folder and ports', async () => {
    await checkDataDir(dataDir);
    await checkPorts(env.OBS_HOST, [
      { port: env.OBS_PORT, envVar: 'OBS_PORT', what: 'lesson site and API' },
      { port: ports.gateway, envVar: 'OBS_GATEWAY_PORT', what: 'shop gateway' },
      { port: ports.gatewayAdmin, envVar: 'OBS_GATEWAY_ADMIN_PORT', what: 'gateway admin' },
      { port: ports.api, envVar: 'OBS_API_PORT', what: 'api service' },
      { port: ports.apiAdmin, envVar: 'OBS_API_ADMIN_PORT', what: 'api admin' },
      { port: ports.inventory, envVar: 'OBS_INVENTORY_PORT', what: 'inventory service' },
      { port: ports.inventoryAdmin, envVar: 'OBS_INVENTORY_ADMIN_PORT', what: 'inventory admin' },
      ...(env.DATABASE_URL ? [] : [{ port: env.OBS_PG_PORT, envVar: 'OBS_PG_PORT', what: 'embedded PostgreSQL' }]),
    ]);
  });
  const secretFile = resolve(env.OBS_JWT_SECRET_FILE ?? `${dataDir}/secrets/jwt-secret`);
  const secret = await loadOrCreateSecret(secretFile);

  let pg: RunningPostgres | undefined;
  const databaseUrl = await progress.step('PostgreSQL', async () => {
    if (env.DATABASE_URL) return env.DATABASE_URL;
    pg = await startEmbeddedPostgres({ dir: resolve(dataDir, 'pg'), port: env.OBS_PG_PORT, persistent: true });
    return ensureDatabase(pg.adminUrl, 'observastack');
  }, () => (env.DATABASE_URL ? 'external (DATABASE_URL)' : `embedded on 127.0.0.1:${env.OBS_PG_PORT}`));
  let pgSupervisor: PostgresSupervisor | null = null;
  const cleanup: { name: string; run: () => Promise<unknown> }[] = [{ name: 'PostgreSQL', run: async () => (pgSupervisor ? pgSupervisor.stop() : pg?.stop()) }];
  const fail = async (err: unknown) => {
    for (const c of cleanup.reverse()) await c.run().catch(() => {});
    throw err;
  };

  try {
    await progress.step('migrations and seed', async () => {
      const a = await migrate(databaseUrl);
      const b = await migrate(databaseUrl, controlMigrationsDir);
      return a.applied.length + b.applied.length;
    }, (n) => (n ? `${n} applied (first start seeds 500k stock rows)` : 'up to date'));

    let scenarios: Scenario[] = [];
    let problems: ScenarioProblem[] = [];
    await progress.step('scenarios', async () => {
      ({ scenarios, problems } = await loadScenarios(resolve(env.OBS_SCENARIOS_DIR)));
      // Community packs: data only, validated like built-in scenarios, ids namespaced `pack/id`; a broken
      // pack is reported and skipped.
      const fromPacks = await loadPacks({ dirs: [resolve(env.OBS_SCENARIOS_DIR, 'packs')], packs: env.OBS_SCENARIO_PACKS, takenIds: scenarios.map((s) => s.id) });
      scenarios = [...scenarios, ...fromPacks.scenarios];
      problems = [...problems, ...fromPacks.problems.map((p) => ({ file: p.file, path: p.path, message: p.reason }))];
    }, () => `${scenarios.length} loaded${problems.length ? `, ${problems.length} problem(s):\n${formatProblems(problems)}` : ''}`);

    const adminUrls = { gateway: adminBaseUrl('gateway', ports), api: adminBaseUrl('api', ports), inventory: adminBaseUrl('inventory', ports) };
    const load = createLoadGenerator({ baseUrl: `http://127.0.0.1:${ports.gateway}` });
    const telemetry = createEmbeddedTelemetry({ adminUrls, load, databaseUrl });
    const store = new RunStore(databaseUrl);
    const control = new SutControl(adminUrls, secret);
    const allowed = new Set(env.OBS_CORS_ORIGINS);
    const allowedOrigins = () => allowed;
    let statuses: ServiceStatus[] = [];
    let ws: WsHub | undefined;
    const emit = (m: ServerMessage) => ws?.broadcast(m);
    const engine = new RunEngine({ store, load, control, scenarios: () => scenarios, emit, signal: (e) => telemetry.signal(e), log: (m) => console.error(m) });
    // Every supervised process (the SUT children, the embedded PostgreSQL) reports here: the site, /api/health
    // and the active run's timeline all learn of a crash and a recovery.
    const onStatus = (status: ServiceStatus, event?: SupervisorEvent) => {
      statuses = statuses.filter((s) => s.name !== status.name).concat(status);
      emit({ type: 'service', service: status });
      if (event) void engine.serviceEvent(event.type, status.name, event.message);
    };
    if (pg) pgSupervisor = new PostgresSupervisor(pg, { onStatus });
    load.onSecond((stats) => emit({ type: 'stats', stats }));

    const server = await progress.step('listener: site, /api, /ws', async () => {
      const health = Router().get('/health', (_req, res) => {
        // Degraded while any supervised process is down or coming back; the listener itself answers regardless.
        const degraded = statuses.some((s) => s.state !== 'running');
        res.json({ status: degraded ? 'degraded' : 'ok', mode: env.OBS_MODE, services: statuses, run: engine.activeView()?.state ?? null });
      });
      const app = buildApp({
        allowedOrigins,
        secret,
        grafanaUrl: env.OBS_GRAFANA_URL,
        root: [telemetry.otlpRouter],
        api: [health, runsRoutes(engine, store, () => scenarios), scenariosRoutes(() => scenarios, () => problems), servicesRoutes(control, engine, () => statuses), telemetry.apiRouter, openapiRoutes()],
        siteDir: resolve(env.OBS_SITE_DIR),
        log: (msg, err) => console.error(msg, err),
      });
      const srv = createServer(app);
      ws = new WsHub({
        allowedOrigins,
        secret,
        snapshot: () => ({ type: 'snapshot', protocolVersion, serverTime: Date.now(), run: engine.activeView(), events: engine.activeEvents(), hints: engine.activeHints(), stats: load.recent(120), services: statuses }),
        subscribeLogs: (f, send) => telemetry.subscribeLogs(f, send),
      });
      ws.attach(srv);
      await new Promise<void>((ok, ko) => srv.once('error', ko).listen(env.OBS_PORT, env.OBS_HOST, () => ok()));
      cleanup.push({ name: 'listener', run: () => new Promise((r) => { ws!.close(); srv.close(() => r(undefined)); srv.closeAllConnections(); }) });
      return srv;
    });
    const port = (server.address() as { port: number }).port;

    const supervisor = new Supervisor({
      ports,
      databaseUrl,
      secretFile,
      otlpEndpoint: `http://127.0.0.1:${port}`,
      traceSampleRatio: env.OBS_TRACE_SAMPLE_RATIO,
      onLine: (service, stream, line) => telemetry.logs.ingest(service, line, stream),
      onStatus,
    });
    cleanup.push({ name: 'SUT services', run: () => supervisor.stopAll() });
    await progress.step('SUT services: inventory, api, gateway', () => supervisor.startAll(), () => supervisor.statuses().map((s) => `${s.name} pid ${s.pid}`).join(', '));

    telemetry.metrics.start();
    cleanup.push({ name: 'telemetry hub', run: () => telemetry.stop() });
    cleanup.push({ name: 'run store', run: () => store.close() });
    cleanup.push({ name: 'run engine and load', run: () => engine.shutdown() });
    await progress.step('telemetry hub and run engine', async () => {
      await engine.resume();
      engine.startTicking();
    }, () => (engine.activeView() ? `resumed run ${engine.activeView()!.id}` : 'no active run'));
    if (!engine.activeView()) warmUp(load, () => engine.activeView() !== null);

    let stopped = false;
    return {
      url: `http://${env.OBS_HOST}:${port}`,
      port,
      ports,
      databaseUrl,
      engine,
      load,
      supervisor,
      postgres: pgSupervisor,
      telemetry,
      server,
      scenarios: () => scenarios,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of cleanup.reverse()) {
          const t0 = performance.now();
          await c.run().catch((err) => console.error(`  stopping ${c.name} failed: ${(err as Error).message}`));
          (write ?? console.log)(`  stopped ${c.name} (${Math.round(performance.now() - t0)} ms)`);
        }
      },
    };
  } catch (err) {
    return fail(err);
  }
}

/**
 * A fresh SUT is slow for its first seconds (JIT, connections, worker threads, cold caches). A few seconds of
 * light, read-only traffic right after boot, while the learner reads the lesson, keep that out of their first
 * baseline.
 * A run started meanwhile takes the load generator over; the warm-up then leaves it alone.
 */
function warmUp(load: LoadGenerator, runActive: () => boolean): void {
  // Read-only journeys: the warm-up never writes an order.
  load.start({ phases: [{ pattern: 'constant', durationS: 6, rps: 50 }], journeys: { browse: 30, search: 15, view: 40, recommendations: 15 }, timeoutMs: 5000 });
  setTimeout(() => {
    if (!runActive() && load.running) void load.stop();
  }, 6_000).unref();
}
