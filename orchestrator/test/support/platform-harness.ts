import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ensureDatabase, migrate } from '@observastack/sut-common/db/migrate.ts';
import { loadOrchestratorEnv } from '../../src/config.ts';
import { startPlatform, type Platform } from '../../src/platform/platform.ts';
import { serverMessageSchema, type ServerMessage } from '../../src/protocol/ws-messages.ts';
import { wsBearerProtocolPrefix, wsProtocol } from '../../src/protocol/rest.ts';
import { freePort } from './free-port.ts';

export interface TestPlatformOptions {
  /** The database to use; omitted: the platform starts (and supervises) its own embedded PostgreSQL. */
  databaseUrl?: string;
  scenariosDir: string;
  dataDir?: string;
  /** Reuse these ports (a restarted orchestrator must find its SUT where it was). */
  ports?: Record<string, string>;
  /** OBS_CALIBRATION; default off (the scenarios' own rates, no 40 s capacity probe at boot). */
  calibration?: string;
  /** More settings, e.g. OBS_ALERTMANAGER_TOKEN_FILE. */
  env?: Record<string, string>;
}

/** A fresh migrated database on the integration run's PostgreSQL (seeding takes a few seconds). */
export async function freshDatabase(pgAdminUrl: string, name: string): Promise<string> {
  const url = await ensureDatabase(pgAdminUrl, name);
  await migrate(url);
  return url;
}

/** Boots the real platform (real PostgreSQL, real SUT children) on free ports. */
export async function startTestPlatform(
  o: TestPlatformOptions,
): Promise<{ platform: Platform; env: Record<string, string> }> {
  const env: Record<string, string> = o.ports ?? {
    OBS_PORT: String(await freePort()),
    OBS_GATEWAY_PORT: String(await freePort()),
    OBS_GATEWAY_ADMIN_PORT: String(await freePort()),
    OBS_API_PORT: String(await freePort()),
    OBS_API_ADMIN_PORT: String(await freePort()),
    OBS_INVENTORY_PORT: String(await freePort()),
    OBS_INVENTORY_ADMIN_PORT: String(await freePort()),
  };
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'observastack-platform-')));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp folder.
  if (!o.databaseUrl) await chmod(dataDir, 0o755);
  const database = o.databaseUrl
    ? { DATABASE_URL: o.databaseUrl }
    : { OBS_PG_PORT: env.OBS_PG_PORT ?? String(await freePort()) };
  const full = {
    ...env,
    ...database,
    OBS_DATA_DIR: dataDir,
    OBS_SCENARIOS_DIR: o.scenariosDir,
    OBS_SITE_DIR: join(dataDir, 'no-site'),
    OBS_CALIBRATION: o.calibration ?? 'off',
    ...o.env,
  };
  const platform = await startPlatform(loadOrchestratorEnv(full), () => {});
  return { platform, env: { ...env, OBS_DATA_DIR: dataDir } };
}

/** A protocol client connected to the platform's WebSocket (with a session token), once it is open. */
export async function openProtocolClient(platform: { port: number }): Promise<ProtocolClient> {
  const ws = new ProtocolClient(`ws://127.0.0.1:${platform.port}/ws`);
  await ws.opened;
  return ws;
}

/** A real `ws` client that parses every message with the exported protocol schema and records it. */
export class ProtocolClient {
  readonly messages: ServerMessage[] = [];
  readonly invalid: unknown[] = [];
  private ws: WebSocket | undefined;
  private closed = false;
  readonly opened: Promise<void>;

  /**
   * Connects to `url` (ws://host:port/ws). The upgrade needs a session token: by default one is fetched from
   * POST /api/session first; pass `token` to use another, or `token: null` to connect without one.
   */
  constructor(url: string, opts: { token?: string | null } = {}) {
    this.opened = (async () => {
      const token =
        opts.token === undefined
          ? await sessionToken(url.replace(/^ws/, 'http').replace(/\/ws(\?.*)?$/, ''))
          : opts.token;
      if (this.closed) throw new Error('closed before it opened');
      const ws = new WebSocket(url, token ? [wsProtocol, wsBearerProtocolPrefix + token] : []);
      this.ws = ws;
      ws.on('message', (data) => {
        const parsed = serverMessageSchema.safeParse(JSON.parse(data.toString()));
        if (parsed.success) this.messages.push(parsed.data);
        else this.invalid.push({ raw: data.toString().slice(0, 300), issues: parsed.error.issues });
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    })();
    this.opened.catch(() => {});
  }

  /** Resolves with the first message (already received or future) matching `pred`, or rejects after `timeoutMs`. */
  async waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, timeoutMs: number): Promise<T>;
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs: number): Promise<ServerMessage>;
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs: number): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching WebSocket message within ${timeoutMs} ms; got types: ${[...new Set(this.messages.map((m) => m.type))].join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  events(type: string): Extract<ServerMessage, { type: 'event' }>[] {
    return this.messages.filter(
      (m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event' && m.event.type === type,
    );
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

const sessions = new Map<string, Promise<string | undefined>>();

/** A control-path session token for the platform at `base` (POST /api/session), cached per base URL. */
export function sessionToken(base: string, fresh = false): Promise<string | undefined> {
  if (fresh || !sessions.has(base)) {
    sessions.set(
      base,
      fetch(`${base}/api/session`, { method: 'POST' }).then(
        async (r) => (r.ok ? ((await r.json()) as { token: string }).token : undefined),
        () => undefined,
      ),
    );
  }
  return sessions.get(base)!;
}

/**
 * One request to the orchestrator API, JSON in and out. It sends the session token (fetched once per base,
 * fetched anew after a 401) unless the caller passes its own `authorization` header.
 */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  const send = async (token: string | undefined) => {
    const auth: Record<string, string> = !own && token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...auth, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: json as any };
  };
  const first = await send(own ? undefined : await sessionToken(base));
  if (first.status !== 401 || own) return first;
  return send(await sessionToken(base, true));
}
