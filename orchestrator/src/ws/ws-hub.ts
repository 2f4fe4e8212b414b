import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientMessageSchema, type ServerMessage } from '../protocol/ws-messages.ts';

export interface WsHubOptions {
  /** Built on each connection: current run, recent stats and hints, services. */
  snapshot(): ServerMessage;
  /** Origins allowed to connect besides the server itself. */
  allowedOrigins(): Set<string>;
  /** Live log tail: subscribe with a filter, get an unsubscribe function. */
  subscribeLogs?(filter: { service?: string; level?: string; text?: string }, send: (msg: ServerMessage) => void): () => void;
  heartbeatMs?: number;
}

interface Client {
  ws: WebSocket;
  alive: boolean;
  unsubscribeLogs?: () => void;
}

/** Droppable messages are skipped for a client whose send buffer is backed up; others are never dropped. */
const droppable = new Set<ServerMessage['type']>(['stats', 'log', 'heartbeat']);
const backedUpBytes = 1 << 20;
const hopelessBytes = 8 << 20;

/**
 * The WebSocket endpoint `/ws`: a snapshot on connect, then deltas broadcast to every client. Heartbeats detect
 * dead peers; a slow client loses droppable messages (and is cut off when hopelessly behind) so it never
 * blocks the others.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  private readonly clients = new Set<Client>();
  private readonly o: WsHubOptions;
  private readonly timer: NodeJS.Timeout;

  constructor(o: WsHubOptions) {
    this.o = o;
    this.timer = setInterval(() => this.heartbeat(), o.heartbeatMs ?? 15_000);
    this.timer.unref();
  }

  attach(server: HttpServer): void {
    server.on('upgrade', (req: IncomingMessage, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/ws') return socket.destroy();
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}` && !this.o.allowedOrigins().has(origin)) {
        socket.write('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
        return socket.destroy();
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
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
    this.send(client, this.o.snapshot());
  }

  private onMessage(client: Client, text: string): void {
    let parsed;
    try {
      parsed = clientMessageSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) return this.send(client, { type: 'error', message: 'unknown or malformed message' });
    const msg = parsed.data;
    if (msg.type === 'ping') this.send(client, { type: 'heartbeat', serverTime: Date.now() });
    else if (msg.type === 'subscribe-logs') {
      client.unsubscribeLogs?.();
      client.unsubscribeLogs = this.o.subscribeLogs?.({ service: msg.service, level: msg.level, text: msg.text }, (m) => this.send(client, m));
    } else if (msg.type === 'unsubscribe-logs') {
      client.unsubscribeLogs?.();
      client.unsubscribeLogs = undefined;
    }
  }

  private send(client: Client, msg: ServerMessage): void {
    const { ws } = client;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > hopelessBytes) return void ws.terminate();
    if (ws.bufferedAmount > backedUpBytes && droppable.has(msg.type)) return;
    ws.send(JSON.stringify(msg));
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
