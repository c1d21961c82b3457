/**
 * The live stream (WebSocket /api/live): trace events go out in one batch per ~16 ms
 * (an animation frame), control messages (status, config, run) right away.
 *
 * Back-pressure: a socket whose unsent data exceeds `lagBytes` gets one `lagging` notice
 * and skips trace batches until it drains; then it gets `lagging` with `resumed: true`
 * and the number of events it missed (the stored run still has them all).
 *
 * Seats: that cap bounds each socket's memory, not the number of sockets, so the hub also
 * admits at most LIVE_MAX_SOCKETS_PER_ADDRESS sockets from one client address and
 * LIVE_MAX_SOCKETS in all; an extra one is closed at once with a code and a reason that
 * say which bound it hit.
 */
import type { WebSocket } from 'ws';
import type { LiveMessage } from '../../common/api';
import type { TraceEvent } from '../../common/trace';

/**
 * Live sockets from one client address. A browser opens one per tab of the lab, and every
 * tab of this machine (and everything behind Vite's or a reverse proxy) shares one address:
 * 16 is more tabs than anyone reads, and in classroom mode only the presenter may connect.
 */
export const LIVE_MAX_SOCKETS_PER_ADDRESS = 16;
/**
 * Live sockets in all. A socket that does not read holds up to ~1.5 MB before it is marked
 * lagging (lagBytes plus ws's own buffers; 300 of them held 444 MB), so 64 keep the worst
 * case near 100 MB, while a presenter, a few tabs and a few other devices fit easily.
 */
export const LIVE_MAX_SOCKETS = 64;
/** Close codes (RFC 6455 §7.4.1): a policy bound for one address, "try again later" for the lab's. */
export const CLOSE_TOO_MANY_FROM_ADDRESS = 1008;
export const CLOSE_TOO_MANY = 1013;

export type Admission = { ok: true; release: () => void } | { ok: false; code: number; reason: string };

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
  /** Admitted sockets per client address, counted from the upgrade (before the hello) to the close. */
  private readonly seats = new Map<string, number>();
  private seated = 0;
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

  /** Sockets admitted and not yet released. */
  get seatsTaken(): number {
    return this.seated;
  }

  /** Takes a seat for a new socket from `address`, or says which bound refuses it. */
  admit(address: string): Admission {
    const key = address.replace(/^::ffff:/, '');
    const mine = this.seats.get(key) ?? 0;
    if (mine >= LIVE_MAX_SOCKETS_PER_ADDRESS) {
      return {
        ok: false,
        code: CLOSE_TOO_MANY_FROM_ADDRESS,
        reason: `too many live connections from your address (max ${LIVE_MAX_SOCKETS_PER_ADDRESS}): close another tab of the lab`,
      };
    }
    if (this.seated >= LIVE_MAX_SOCKETS) {
      return {
        ok: false,
        code: CLOSE_TOO_MANY,
        reason: `the lab has too many live connections (max ${LIVE_MAX_SOCKETS}): try again later`,
      };
    }
    this.seats.set(key, mine + 1);
    this.seated += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.seated -= 1;
        const left = (this.seats.get(key) ?? 1) - 1;
        if (left > 0) this.seats.set(key, left);
        else this.seats.delete(key);
      },
    };
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
    this.sendRaw(
      client,
      JSON.stringify({ type: 'lagging', skipped: client.skipped, resumed: true } satisfies LiveMessage),
    );
    client.skipped = 0;
  }

  private sendRaw(client: Client, text: string): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
  }
}
