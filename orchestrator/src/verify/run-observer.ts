import { PlatformSocket } from '../client/platform-client.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';

type Waiter = {
  match: (m: ServerMessage) => boolean;
  resolve: (m: ServerMessage | null) => void;
  timer: NodeJS.Timeout;
};

/**
 * Watches the platform over a real WebSocket (/ws), as the lesson site does: every message is validated
 * against the protocol schema and kept, so a step can wait for "the next message like this" with a deadline.
 */
export class RunObserver {
  private readonly socket: PlatformSocket;
  private readonly seen: ServerMessage[] = [];
  private waiters: Waiter[] = [];
  /** SUT services seen not running (crashed, restarting), in order. */
  readonly serviceTrouble: string[] = [];
  lastStats: Extract<ServerMessage, { type: 'stats' }>['stats'] | null = null;
  private statsListeners = new Set<(s: Extract<ServerMessage, { type: 'stats' }>['stats']) => void>();
  private cursor = 0;

  private constructor(socket: PlatformSocket) {
    this.socket = socket;
    const take = (m: ServerMessage) => {
      if (m.type === 'service' && m.service.state !== 'running') {
        this.serviceTrouble.push(
          `${m.service.name} ${m.service.state}${m.service.lastExit ? ` (${m.service.lastExit})` : ''}`,
        );
      }
      if (m.type === 'stats') {
        this.lastStats = m.stats;
        for (const l of this.statsListeners) l(m.stats);
        return;
      }
      this.seen.push(m);
      for (const w of [...this.waiters]) {
        if (w.match(m)) this.settle(w, m);
      }
    };
    // What arrived with the upgrade (the snapshot) was received before this observer existed.
    for (const m of socket.messages) take(m);
    socket.onMessage(take);
  }

  /** Watches the platform at `baseUrl` with its session token. */
  static async connect(baseUrl: string): Promise<RunObserver> {
    return new RunObserver(await PlatformSocket.open(baseUrl));
  }

  private settle(w: Waiter, m: ServerMessage | null): void {
    clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
    w.resolve(m);
  }

  /** Only messages from now on count for `next`. */
  mark(): void {
    this.cursor = this.seen.length;
  }

  /** The first message since the last mark() that matches, waiting at most `timeoutMs`; null on timeout. */
  next(match: (m: ServerMessage) => boolean, timeoutMs: number): Promise<ServerMessage | null> {
    const found = this.seen.slice(this.cursor).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const w: Waiter = { match, resolve, timer: setTimeout(() => this.settle(w, null), timeoutMs) };
      this.waiters.push(w);
    });
  }

  /** Run events of `runId` seen since the last mark(). */
  events(runId: string): Extract<ServerMessage, { type: 'event' }>['event'][] {
    return this.seen
      .slice(this.cursor)
      .flatMap((m) => (m.type === 'event' && m.event.runId === runId ? [m.event] : []));
  }

  /** Calls `listener` with every per-second stats message; returns an unsubscribe function. */
  onStats(listener: (s: Extract<ServerMessage, { type: 'stats' }>['stats']) => void): () => void {
    this.statsListeners.add(listener);
    return () => this.statsListeners.delete(listener);
  }

  close(): void {
    for (const w of [...this.waiters]) this.settle(w, null);
    this.socket.close();
  }
}
