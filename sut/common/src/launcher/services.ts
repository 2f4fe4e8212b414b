import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** The SUT services in start order (a service's dependencies start before it). */
export const sutServiceNames = ['inventory', 'api', 'gateway'] as const;
export type SutServiceName = (typeof sutServiceNames)[number];

export interface SutPorts {
  gateway: number;
  /** Each service's admin port is served by its admin thread (`sut/common/src/admin/`). */
  gatewayAdmin: number;
  api: number;
  apiAdmin: number;
  inventory: number;
  inventoryAdmin: number;
}

export const defaultSutPorts: SutPorts = {
  gateway: 8080,
  gatewayAdmin: 8090,
  api: 8081,
  apiAdmin: 8091,
  inventory: 8082,
  inventoryAdmin: 8092,
};

/** The env var that moves each port (named in "port taken" errors). */
export const portEnvVar: Record<keyof SutPorts, string> = {
  gateway: 'OBS_GATEWAY_PORT',
  gatewayAdmin: 'OBS_GATEWAY_ADMIN_PORT',
  api: 'OBS_API_PORT',
  apiAdmin: 'OBS_API_ADMIN_PORT',
  inventory: 'OBS_INVENTORY_PORT',
  inventoryAdmin: 'OBS_INVENTORY_ADMIN_PORT',
};

export interface SutEnvOptions {
  ports: SutPorts;
  databaseUrl: string;
  secretFile: string;
  host?: string;
  otlpEndpoint?: string;
  logLevel?: string;
  /** Share of new traces sampled at the gateway (1 = all); downstream services follow the parent. */
  traceSampleRatio?: number;
  /** SO_REUSEPORT on the service's ports (OBS_REUSE_PORT), for rollouts; the supervisor sets it. */
  reusePort?: boolean;
}

const registerPath = fileURLToPath(new URL('../tracing/register.ts', import.meta.url));
const entry = (name: SutServiceName) => fileURLToPath(new URL(`../../../${name}/src/server.ts`, import.meta.url));

/** Preload serving the platform's .ts modules from the type-stripped cache (ts-cache-hooks.mjs). */
export const tsCacheHooks = fileURLToPath(new URL('./ts-cache-hooks.mjs', import.meta.url));
const stripTypes = fileURLToPath(new URL('./strip-types.mjs', import.meta.url));

/**
 * Fills the type-stripped cache (strip-types.mjs) in a process of its own, so the services and their threads
 * load plain JavaScript: ~50 ms when it is current, ~250 ms from nothing. Never fails the caller: without a
 * cache every module loads through Node's own type stripper, as before.
 */
export function prepareTsCache(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [stripTypes], { stdio: 'ignore' });
    child.once('error', () => resolve());
    child.once('exit', () => resolve());
  });
}

/**
 * V8 schedules the next full GC at a multiple of the live heap that it picks itself, up to 4x on a big machine:
 * under shop traffic the orchestrator held 243 MB of old space for 83 MB live (heap snapshot) and kept growing.
 * 1.5x held it at ~170 MB for ~1 % of a core more (docs/performance.md). Every Node process of the platform runs
 * with it.
 */
export const heapGrowingFlag = '--heap-growing-percent=50';

/**
 * `node` arguments that run one service with tracing preloaded. A 2 MB young generation (V8's default is
 * 16 MB) keeps each service ~25 MB smaller under load for a negligible GC cost at the shop's request sizes.
 */
export function serviceArgs(name: SutServiceName): string[] {
  const heap = name === 'api' ? [apiHeapLimitFlag] : [];
  return [
    '--max-semi-space-size=2',
    heapGrowingFlag,
    ...heap,
    '--import',
    tsCacheHooks,
    '--import',
    registerPath,
    entry(name),
  ];
}

/**
 * The api's old-generation limit, as a container's memory limit would set it: ~5x what it holds under the
 * heaviest lesson, so only a leak reaches it, and then Node dies the way it does in production ("JavaScript heap
 * out of memory") and the supervisor restarts it.
 */
export const apiHeapLimitFlag = '--max-old-space-size=256';

/** The environment one service process is started with. */
export function serviceEnv(name: SutServiceName, o: SutEnvOptions): Record<string, string> {
  const host = o.host ?? '127.0.0.1';
  const env: Record<string, string> = {
    OBS_HOST: host,
    OBS_JWT_SECRET_FILE: o.secretFile,
    OBS_LOG_LEVEL: o.logLevel ?? 'info',
    OTEL_SERVICE_NAME: name,
    // glibc gives each thread that allocates its own malloc arena (up to 8 per core), each keeping freed memory;
    // with the admin thread, the worker pool and libuv's threads, capping them at 2 saved ~60 MB over the three
    // services at idle (docs/performance.md).
    MALLOC_ARENA_MAX: '2',
  };
  if (o.otlpEndpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = o.otlpEndpoint;
  if (o.reusePort) env.OBS_REUSE_PORT = '1';
  if (o.traceSampleRatio !== undefined && o.traceSampleRatio < 1) {
    env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    env.OTEL_TRACES_SAMPLER_ARG = String(o.traceSampleRatio);
  }
  if (name === 'gateway') {
    env.OBS_GATEWAY_PORT = String(o.ports.gateway);
    env.OBS_GATEWAY_ADMIN_PORT = String(o.ports.gatewayAdmin);
    env.OBS_API_URL = `http://127.0.0.1:${o.ports.api}`;
  } else if (name === 'api') {
    env.OBS_API_PORT = String(o.ports.api);
    env.OBS_API_ADMIN_PORT = String(o.ports.apiAdmin);
    env.OBS_INVENTORY_URL = `http://127.0.0.1:${o.ports.inventory}`;
    env.DATABASE_URL = o.databaseUrl;
  } else {
    env.OBS_INVENTORY_PORT = String(o.ports.inventory);
    env.OBS_INVENTORY_ADMIN_PORT = String(o.ports.inventoryAdmin);
    env.DATABASE_URL = o.databaseUrl;
  }
  return env;
}

/** Base URL of a service's admin routes (/config, /metrics, /healthz): its admin port, served by its admin thread. */
export function adminBaseUrl(name: SutServiceName, ports: SutPorts): string {
  return `http://127.0.0.1:${ports[`${name}Admin`]}`;
}

/**
 * The `instance` a service's /healthz answers (see http/process-instance.ts), asked on a connection of its own:
 * during a rollout two processes share the port (SO_REUSEPORT) and the kernel picks one per connection, so a
 * pooled keep-alive connection would keep asking the same one. Null when nothing healthy answers.
 */
export function healthyInstance(url: string, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(null);
        try {
          resolve(String(JSON.parse(body).instance ?? '') || null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** Polls `url` on fresh connections until a healthy process other than `oldInstance` answers. */
export async function waitNewInstance(
  url: string,
  oldInstance: string | null,
  timeoutMs: number,
  isAlive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    const instance = await healthyInstance(url);
    if (instance !== null && instance !== oldInstance) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no new healthy process at ${url} after ${timeoutMs} ms`);
}

/** Polls `url` until it answers 2xx or `timeoutMs` passes. */
export async function waitHealthy(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (${last})`);
}
