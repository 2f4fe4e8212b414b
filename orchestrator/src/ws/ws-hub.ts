import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientMessageSchema, type ServerMessage } from '../protocol/ws-messages.ts';
import { wsBearerProtocolPrefix, wsProtocol } from '../protocol/rest.ts';
import { originAllowed, hostAllowed } from '../api/origin-guard.ts';
import { verifySessionToken } from '../auth/session-token.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { requestOrigin, type TrustProxy } from '../access/forwarded.ts';

export interface WsHubOptions {
  /** Built on each connection: current run, recent stats and hints, services. */
  snapshot(): ServerMessage;
  /** Origins allowed to connect besides the server itself. */
  allowedOrigins(): Set<string>;
  /** Reverse proxies whose X-Forwarded-Host/-Proto are honoured (OBS_TRUSTED_PROXIES; default none). */
  trustProxy?: TrustProxy;
  /** Secret of the session tokens: the upgrade needs one (`?token=` or the `bearer.<token>` subprotocol). */
  secret: Uint8Array;
  /** Live log tail: subscribe with a filter, get an unsubscribe function. */
  subscribeLogs?(
    filter: { service?: string; level?: string; text?: string },
    send: (msg: ServerMessage) => void,
  ): () => void;
  heartbeatMs?: number;
}

interface Client {
  ws: WebSocket;
  alive: boolean;
  unsubscribeLogs?: () => void;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Forbidden';
  const body = JSON.stringify({
    error: { code: status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : 'forbidden', message },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Droppable messages are skipped for a client whose send buffer is backed up; others are never dropped. */
const droppable = new Set<ServerMessage['type']>(['stats', 'log', 'heartbeat']);
export const backedUpBytes = 1 << 20;
export const hopelessBytes = 8 << 20;

/** What a client whose send buffer holds `bufferedBytes` gets of a message of `type`: sent, dropped, or cut off. */
export function backpressure(type: ServerMessage['type'], bufferedBytes: number): 'send' | 'drop' | 'terminate' {
  if (bufferedBytes > hopelessBytes) return 'terminate';
  if (bufferedBytes > backedUpBytes && droppable.has(type)) return 'drop';
  return 'send';
}

/**
 * The WebSocket endpoint `/ws`: a snapshot on connect, then deltas broadcast to every client. Heartbeats detect
 * dead peers; a slow client loses droppable messages (and is cut off when hopelessly behind) so it never
 * blocks the others.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024,
    // A client that offered subprotocols must get one back; never echo the bearer one.
    handleProtocols: (offered) => (offered.has(wsProtocol) ? wsProtocol : false),
  });
  private readonly clients = new Set<Client>();
  private readonly opts: WsHubOptions;
  private readonly timer: NodeJS.Timeout;

  constructor(o: WsHubOptions) {
    this.opts = o;
    this.timer = setInterval(() => this.heartbeat(), o.heartbeatMs ?? 15_000);
    this.timer.unref();
  }

  attach(server: HttpServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      void this.authorize(req).then(
        () => this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws)),
        (err: unknown) =>
          err instanceof HttpError
            ? refuse(socket, err.status, err.message)
            : refuse(socket, 400, 'bad upgrade request'),
      );
    });
  }

  /** Path, Host (DNS rebinding), Origin (cross-site pages) and the session token, in that order. */
  private async authorize(req: IncomingMessage): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const deny = (status: number, message: string) => new HttpError(message, { code: 'refused', status });
    if (url.pathname !== '/ws') throw deny(404, 'no such endpoint');
    const allowed = this.opts.allowedOrigins();
    const seen = requestOrigin(req, this.opts.trustProxy ?? (() => false));
    if (!hostAllowed(seen.host, allowed)) throw deny(403, 'host is not this platform');
    if (!originAllowed(req.headers.origin, seen.host, allowed, seen.proto)) throw deny(403, 'origin not allowed');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const token =
      url.searchParams.get('token') ??
      offered.find((p) => p.startsWith(wsBearerProtocolPrefix))?.slice(wsBearerProtocolPrefix.length);
    if (!token) throw deny(401, 'session token required: POST /api/session, then open /ws?token=<token>');
    await verifySessionToken(token, this.opts.secret);
  }

  get size(): number {
    return this.clients.size;
  }

  private onConnection(ws: WebSocket): void {
    const client: Client = { ws, alive: true };
    this.clients.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => {
      client.unsubscribeLogs?.();
      this.clients.delete(client);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => this.onMessage(client, data.toString()));
    this.send(client, this.opts.snapshot());
  }

  private onMessage(client: Client, text: string): void {
    let parsed: ReturnType<typeof clientMessageSchema.safeParse> | null;
    try {
      parsed = clientMessageSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      this.send(client, { type: 'error', message: 'unknown or malformed message' });
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'ping') this.send(client, { type: 'heartbeat', serverTime: Date.now() });
    else if (msg.type === 'subscribe-logs') {
      client.unsubscribeLogs?.();
      client.unsubscribeLogs = this.opts.subscribeLogs?.(
        { service: msg.service, level: msg.level, text: msg.text },
        (m) => this.send(client, m),
      );
    } else if (msg.type === 'unsubscribe-logs') {
      client.unsubscribeLogs?.();
      client.unsubscribeLogs = undefined;
    }
  }

  private send(client: Client, msg: ServerMessage): void {
    const { ws } = client;
    if (ws.readyState !== ws.OPEN) return;
    const verdict = backpressure(msg.type, ws.bufferedAmount);
    if (verdict === 'terminate') return void ws.terminate();
    if (verdict === 'send') ws.send(JSON.stringify(msg));
  }

  broadcast(msg: ServerMessage): void {
    for (const c of this.clients) this.send(c, msg);
  }

  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
      this.send(c, { type: 'heartbeat', serverTime: Date.now() });
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
  }
}
