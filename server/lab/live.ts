/**
 * The live stream (WebSocket /api/live): trace events go out in one batch per ~16 ms
 * (an animation frame), control messages (status, config, run) right away.
 *
 * Back-pressure: a socket whose unsent data exceeds `lagBytes` gets one `lagging` notice
 * and skips trace batches until it drains; then it gets `lagging` with `resumed: true`
 * and the number of events it missed (the stored run still has them all).
 */
import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../common/api';
import type { TraceEvent } from '../../common/trace';

export interface LiveOptions {
  batchMs?: number;
  lagBytes?: number;
}

interface Client {
  socket: WebSocket;
  lagging: boolean;
  skipped: number;
}

export class LiveHub {
  private readonly clients = new Set<Client>();
  private pending = new Map<string | null, TraceEvent[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly lagBytes: number;

  constructor(options: LiveOptions = {}) {
    this.batchMs = options.batchMs ?? 16;
    this.lagBytes = options.lagBytes ?? 1024 * 1024;
  }

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket, hello: LiveMessage): () => void {
    const client: Client = { socket, lagging: false, skipped: 0 };
    this.clients.add(client);
    socket.send(JSON.stringify(hello));
    return () => this.clients.delete(client);
  }

  /** Queues trace events for the next batch. */
  publishEvents(runId: string | null, events: readonly TraceEvent[]): void {
    if (events.length === 0 || this.clients.size === 0) return;
    let list = this.pending.get(runId);
    if (!list) this.pending.set(runId, (list = []));
    for (const event of events) list.push(event);
    this.timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  /** Sends a control message to every client now, after the trace events queued before it. */
  broadcast(message: LiveMessage): void {
    this.flush();
    const text = JSON.stringify(message);
    for (const client of this.clients) this.sendRaw(client, text);
  }

  /** A client asked to resume: it drains first. */
  resume(socket: WebSocket): void {
    for (const client of this.clients) if (client.socket === socket) this.checkDrained(client);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batches = [...this.pending].map(([runId, events]) => ({
      count: events.length,
      text: JSON.stringify({ type: 'trace', runId, events } satisfies LiveMessage),
    }));
    this.pending = new Map();
    for (const client of this.clients) {
      if (client.lagging) this.checkDrained(client);
      if (!client.lagging && client.socket.bufferedAmount > this.lagBytes) {
        client.lagging = true;
        client.skipped = 0;
        this.sendRaw(client, JSON.stringify({ type: 'lagging', skipped: 0 } satisfies LiveMessage));
      }
      for (const batch of batches) {
        if (client.lagging) client.skipped += batch.count;
        else this.sendRaw(client, batch.text);
      }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const client of this.clients) client.socket.close(1001, 'the lab is shutting down');
    this.clients.clear();
  }

  private checkDrained(client: Client): void {
    // Half the threshold, so a client hovering at the limit does not flap.
    if (!client.lagging || client.socket.bufferedAmount > this.lagBytes / 2) return;
    client.lagging = false;
    this.sendRaw(client, JSON.stringify({ type: 'lagging', skipped: client.skipped, resumed: true } satisfies LiveMessage));
    client.skipped = 0;
  }

  private sendRaw(client: Client, text: string): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
  }
}
