import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { RunningPostgres } from '@observastack/sut-common/db/embedded-postgres.ts';
import { ensureDatabase, migrate } from '@observastack/sut-common/db/migrate.ts';
import { loadOrCreateSecret } from '@observastack/sut-common/auth/secret.ts';
import type { SutPorts } from '@observastack/sut-common/launcher/services.ts';
import type { OrchestratorEnv } from '../config.ts';
import { buildApp } from '../app.ts';
import { createLoadGenerator, type LoadGenerator } from '../load/index.ts';
import { formatProblems, type ScenarioProblem } from '../scenarios/loader.ts';
import { loadLibrary } from '../scenarios/packs.ts';
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
import { createAlertmanagerWebhook, readAlertmanagerToken } from '../api/alertmanager-routes.ts';
import { BootError, checkNode, checkSettingsAndPorts } from '../boot/preflight.ts';
import { createProgress } from '../boot/progress.ts';
import { publicOrigins } from '../access/public-urls.ts';
import { compileTrust } from '../access/forwarded.ts';
import { keyUrl, loadLearnerKey } from '../access/learner-key.ts';
import { createEmbeddedTelemetry, type EmbeddedTelemetry } from './telemetry.ts';
import { ChangeLog } from '../changes/change-log.ts';
import { changesRoutes } from '../api/changes-routes.ts';
import { Calibrator } from '../calibration/calibrator.ts';
import { healthRoutes } from '../api/health-routes.ts';
import { effectiveLoad } from '../calibration/effective-load.ts';
import { toAlertEventView } from '../telemetry/alerts/index.ts';
import { isLoopbackAddress, isPrivateAddress } from '../auth/loopback.ts';
import { StackMonitor } from './stack-monitor.ts';
import { resolveTopology } from './topology.ts';
import { migrateWithRetry } from './migrate-with-retry.ts';
import { protocolVersion, type ServerMessage, type ServiceStatus } from '../protocol/ws-messages.ts';
import { createShopActions } from './shop-actions-wiring.ts';

export interface Platform {
  url: string;
  port: number;
  ports: SutPorts;
  databaseUrl: string;
  engine: RunEngine;
  /** The simulated users (driven by the run engine; tests and benchmarks may drive it directly). */
  load: LoadGenerator;
  /** This machine's capacity, measured or configured (OBS_CALIBRATION). */
  calibrator: Calibrator;
  /** The SUT children's supervisor (embedded mode); null in stack mode, where the services run elsewhere. */
  supervisor: Supervisor | null;
  /** Stack mode's health watcher of the services at their URLs; null in embedded mode. */
  monitor: StackMonitor | null;
  /** The embedded PostgreSQL's supervisor; null when the platform uses an external DATABASE_URL. */
  postgres: PostgresSupervisor | null;
  telemetry: EmbeddedTelemetry;
  server: Server;
  /** Public URLs (OBS_PUBLIC_URL, Gitpod, Codespaces) as origins; empty on a plain laptop. */
  publicUrls: string[];
  /** The learner key a browser needs through a public URL. */
  learnerKey: string;
  /** What to open through each public URL: `<origin>/?key=<learner key>`. */
  keyUrls: string[];
  scenarios(): Scenario[];
  stop(): Promise<void>;
}

/**
 * Boots the platform, in order, with progress: preflight checks, PostgreSQL, migrations, scenarios,
 * the listener (site, /api, /ws, /v1/traces), the SUT children, the telemetry hub; then resumes any active run.
 * With OBS_MODE=stack: no child processes and no embedded PostgreSQL; the services at their URLs are watched
 * (reported down and retried while they do not answer, never fatal) and DATABASE_URL is required.
 */
export async function startPlatform(env: OrchestratorEnv, write?: (line: string) => void): Promise<Platform> {
  checkNode();
  const progress = createProgress(7, write);
  const dataDir = resolve(env.OBS_DATA_DIR);
  const ports: SutPorts = {
    gateway: env.OBS_GATEWAY_PORT,
    gatewayAdmin: env.OBS_GATEWAY_ADMIN_PORT,
    api: env.OBS_API_PORT,
    apiAdmin: env.OBS_API_ADMIN_PORT,
    inventory: env.OBS_INVENTORY_PORT,
    inventoryAdmin: env.OBS_INVENTORY_ADMIN_PORT,
  };
  const stack = env.OBS_MODE === 'stack';
  const topology = resolveTopology(env, ports);
  await progress.step(stack ? 'preflight: stack settings and port' : 'preflight: data folder and ports', () =>
    checkSettingsAndPorts(env, ports, dataDir),
  );
  const secretFile = resolve(env.OBS_JWT_SECRET_FILE ?? `${dataDir}/secrets/jwt-secret`);
  const secret = await loadOrCreateSecret(secretFile);
  const learnerKeyFile = resolve(env.OBS_LEARNER_KEY_FILE ?? `${dataDir}/secrets/learner-key`);
  const learnerKey = await loadLearnerKey(env.OBS_LEARNER_KEY, learnerKeyFile);
  const alertmanagerToken = env.OBS_ALERTMANAGER_TOKEN_FILE
    ? await readAlertmanagerToken(env.OBS_ALERTMANAGER_TOKEN_FILE)
    : undefined;

  let pg: RunningPostgres | undefined;
  const databaseUrl = await progress.step(
    'PostgreSQL',
    async () => {
      if (env.DATABASE_URL) return env.DATABASE_URL;
      if (stack) throw new BootError('DATABASE_URL is not set');
      // Loaded only here: the stack image carries no PostgreSQL binaries (their package is removed from it).
      const { startEmbeddedPostgres } = await import('@observastack/sut-common/db/embedded-postgres.ts');
      pg = await startEmbeddedPostgres({ dir: resolve(dataDir, 'pg'), port: env.OBS_PG_PORT, persistent: true });
      return ensureDatabase(pg.adminUrl, 'observastack');
    },
    () => (env.DATABASE_URL ? 'external (DATABASE_URL)' : `embedded on 127.0.0.1:${env.OBS_PG_PORT}`),
  );
  let pgSupervisor: PostgresSupervisor | null = null;
  const cleanup: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'PostgreSQL', run: async () => (pgSupervisor ? pgSupervisor.stop() : pg?.stop()) },
  ];
  const fail = async (err: unknown) => {
    for (const c of cleanup.reverse()) await c.run().catch(() => {});
    throw err;
  };

  try {
    await progress.step(
      'migrations and seed',
      async () => {
        // Stack mode: the shop's migrations belong to the `migrate` job; the orchestrator applies its own, waiting
        // for a database that is still starting.
        if (stack)
          return (
            await migrateWithRetry(() => migrate(databaseUrl, controlMigrationsDir), {
              timeoutMs: 60_000,
              log: (m) => (write ?? console.log)(`  ${m}`),
            })
          ).applied.length;
        const a = await migrate(databaseUrl);
        const b = await migrate(databaseUrl, controlMigrationsDir);
        return a.applied.length + b.applied.length;
      },
      (n) => (n ? `${n} applied (first start seeds 500k stock rows)` : 'up to date'),
    );

    let scenarios: Scenario[] = [];
    let problems: ScenarioProblem[] = [];
    await progress.step(
      'scenarios',
      async () => void ({ scenarios, problems } = await loadLibrary(env.OBS_SCENARIOS_DIR, env.OBS_SCENARIO_PACKS)),
      () =>
        `${scenarios.length} loaded${problems.length ? `, ${problems.length} problem(s):\n${formatProblems(problems)}` : ''}`,
    );

    const { adminUrls } = topology;
    const load = createLoadGenerator({ baseUrl: topology.gatewayUrl });
    const telemetry = createEmbeddedTelemetry({ adminUrls, load, databaseUrl, prometheusUrl: env.OBS_PROMETHEUS_URL });
    const store = new RunStore(databaseUrl);
    const control = new SutControl(adminUrls, secret);
    const changeLog = new ChangeLog();
    control.onChange = (service, who, changes) => changeLog.record(service, who, changes);
    // Releases, restarts, jobs and the DB view: the fix actions beyond knobs (actions/, docs/api.md).
    let supervisor: Supervisor | null = null;
    const shop = createShopActions({
      stack,
      databaseUrl,
      changeLog,
      supervisor: () => supervisor,
      onLine: (service, stream, line) => telemetry.logs.ingest(service, line, stream),
      onAction: (a, replaced) => engine.recordAction(a, replaced),
    });
    cleanup.push({ name: 'jobs and DB view', run: () => shop.close() });
    // The public URLs join the allowlist once the listener's port is known (Gitpod and Codespaces name it).
    const allowed = new Set(env.OBS_CORS_ORIGINS);
    const allowedOrigins = () => allowed;
    const publicSet = new Set<string>();
    const trustProxy = compileTrust(env.OBS_TRUSTED_PROXIES);
    let statuses: ServiceStatus[] = [];
    let monitor: StackMonitor | null = null;
    let servicesStarted = false;
    // A run needs every service: while they start (or, in stack mode, while any is down) runs are refused with 503.
    const servicesNotReady = (): string | null => {
      if (monitor) return monitor.ready() ? null : `waiting for ${monitor.down().join(', ')}`;
      return servicesStarted ? null : 'the shop services are still starting';
    };
    // A run waits for the capacity probe: its load is scaled to what the probe measures.
    const notReady = (): string | null => servicesNotReady() ?? calibrator.busyReason();
    // A Start on a calibration that measured nothing measures again first (and waits for it) rather than refusing.
    const notReadyToStart = (): string | null => {
      if (servicesNotReady() === null) calibrator.remeasureIfUnusable();
      return notReady();
    };
    let ws: WsHub | undefined;
    const emit = (m: ServerMessage) => ws?.broadcast(m);
    const calibrator: Calibrator = new Calibrator({
      load,
      mode: env.OBS_CALIBRATION,
      file: stack ? null : resolve(dataDir, 'calibration.json'),
      ready: () => servicesNotReady() === null,
      runActive: (): boolean => engine.activeView() !== null,
      log: write ?? console.log,
    });
    const engine = new RunEngine({
      store,
      load,
      control,
      scenarios: () => scenarios,
      emit,
      signal: (e) => telemetry.signal(e),
      log: (m) => console.error(m),
      loadFor: (s) => effectiveLoad(s, calibrator.calibration),
      actions: shop.actions,
    });
    // Every supervised process (the SUT children, the embedded PostgreSQL) reports here: the site, /api/health
    // and the active run's timeline all learn of a crash and a recovery.
    const onStatus = (status: ServiceStatus, event?: SupervisorEvent) => {
      statuses = statuses.filter((s) => s.name !== status.name).concat(status);
      emit({ type: 'service', service: status });
      if (event) void engine.serviceEvent(event.type, status.name, event.message);
    };
    if (pg) pgSupervisor = new PostgresSupervisor(pg, { onStatus });
    load.onSecond((stats) => emit({ type: 'stats', stats }));
    // The hub's alerts page the learner: every state change goes to the site, firing/resolved onto the run.
    telemetry.alerts.subscribe((e) => {
      const alert = toAlertEventView(e);
      emit({ type: 'alert', alert });
      void engine.alertEvent(alert);
    });

    const server = await progress.step('listener: site, /api, /ws', async () => {
      const health = healthRoutes({
        mode: env.OBS_MODE,
        statuses: () => statuses,
        notReady,
        runState: () => engine.activeView()?.state ?? null,
        calibrator,
      });
      const app = buildApp({
        allowedOrigins,
        secret,
        trustedPeer: env.OBS_TRUSTED_PEERS === 'private' ? isPrivateAddress : isLoopbackAddress,
        grafanaUrl: env.OBS_GRAFANA_URL,
        root: [
          telemetry.otlpRouter,
          ...(alertmanagerToken
            ? [
                createAlertmanagerWebhook({
                  token: alertmanagerToken,
                  onNotification: (n) => engine.alertNotified(n),
                }),
              ]
            : []),
        ],
        api: [
          health,
          runsRoutes(engine, store, () => scenarios, notReadyToStart),
          scenariosRoutes(
            () => scenarios,
            () => problems,
          ),
          servicesRoutes(control, engine, () => statuses),
          changesRoutes(changeLog),
          ...shop.routes,
          telemetry.apiRouter,
          openapiRoutes(),
        ],
        siteDir: resolve(env.OBS_SITE_DIR),
        trustProxy,
        publicOrigins: () => publicSet,
        learnerKey,
        // Said to anyone who asks without the key: where to look, not the machine's paths.
        keyHint: `open the URL ending in /?key=… that the platform printed when it started, or ask whoever runs it (${env.OBS_LEARNER_KEY ? 'OBS_LEARNER_KEY' : env.OBS_LEARNER_KEY_FILE ? 'the file OBS_LEARNER_KEY_FILE names' : 'secrets/learner-key in the data folder'} on that machine)`,
        log: (msg, err) => console.error(msg, err),
      });
      const srv = createServer(app);
      ws = new WsHub({
        allowedOrigins,
        trustProxy,
        secret,
        snapshot: () => ({
          type: 'snapshot',
          protocolVersion,
          serverTime: Date.now(),
          run: engine.activeView(),
          events: engine.activeEvents(),
          hints: engine.activeHints(),
          stats: load.recent(120),
          services: statuses,
        }),
        subscribeLogs: (f, send) => telemetry.subscribeLogs(f, send),
      });
      ws.attach(srv);
      await new Promise<void>((ok, ko) => srv.once('error', ko).listen(env.OBS_PORT, env.OBS_HOST, () => ok()));
      cleanup.push({
        name: 'listener',
        run: () =>
          new Promise((r) => {
            ws!.close();
            srv.close(() => r(undefined));
            srv.closeAllConnections();
          }),
      });
      return srv;
    });
    const port = (server.address() as { port: number }).port;
    for (const o of publicOrigins(env, port)) publicSet.add(o), allowed.add(o);

    if (stack) {
      monitor = new StackMonitor({ targets: topology.targets, onStatus });
      cleanup.push({ name: 'stack monitor', run: () => monitor!.stop() });
      await progress.step(
        'stack services: inventory, api, gateway',
        () => monitor!.start(),
        () =>
          monitor!
            .statuses()
            .map((s) => `${s.name} ${s.state}${s.lastExit ? ` (${s.lastExit})` : ''}`)
            .join(', '),
      );
    } else {
      supervisor = new Supervisor({
        ports,
        databaseUrl,
        secretFile,
        otlpEndpoint: `http://127.0.0.1:${port}`,
        traceSampleRatio: env.OBS_TRACE_SAMPLE_RATIO,
        onLine: (service, stream, line) => telemetry.logs.ingest(service, line, stream),
        onStatus,
      });
      const sup = supervisor;
      cleanup.push({ name: 'SUT services', run: () => sup.stopAll() });
      await progress.step(
        'SUT services: inventory, api, gateway',
        () => sup.startAll(),
        () =>
          sup
            .statuses()
            .map((s) => `${s.name} pid ${s.pid}`)
            .join(', '),
      );
      servicesStarted = true;
    }

    telemetry.metrics.start();
    telemetry.alerts.start();
    cleanup.push({ name: 'telemetry hub', run: () => telemetry.stop() });
    cleanup.push({ name: 'run store', run: () => store.close() });
    cleanup.push({ name: 'run engine and load', run: () => engine.shutdown() });
    await progress.step(
      'telemetry hub and run engine',
      async () => {
        await engine.resume();
        engine.startTicking();
      },
      () => (engine.activeView() ? `resumed run ${engine.activeView()!.id}` : 'no active run'),
    );
    cleanup.push({ name: 'calibration', run: async () => calibrator.stop() });
    if (!engine.activeView()) await calibrator.boot();

    let stopped = false;
    return {
      url: `http://${env.OBS_HOST}:${port}`,
      port,
      ports,
      databaseUrl,
      engine,
      load,
      calibrator,
      supervisor,
      monitor,
      postgres: pgSupervisor,
      telemetry,
      server,
      publicUrls: [...publicSet],
      learnerKey,
      keyUrls: [...publicSet].map((o) => keyUrl(o, learnerKey)),
      scenarios: () => scenarios,
      async stop() {
        if (stopped) return;
        stopped = true;
        pgSupervisor?.endSupervision();
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
