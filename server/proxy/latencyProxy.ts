/**
 * A TCP proxy that adds latency between the subject and MongoDB.
 *
 * Latency is PER ROUND TRIP: every chunk is held for latencyMs / 2 in each direction,
 * so one request-reply exchange (a query and its answer) gains latencyMs in total.
 * Chunks leave in the order they arrived (one FIFO queue per direction), so the MongoDB
 * wire protocol is never reordered, even while the delay is being changed.
 *
 * Hand-written because it is the lab's instrument: a generic proxy library would
 * hide the one thing we need to control (when each chunk is released).
 */
import net from 'node:net';

export interface LatencyProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Added to every round trip (half on the way there, half on the way back). */
  latencyMs: number;
  /** Where the proxy listens; 127.0.0.1 and a free port by default. */
  host?: string;
  port?: number;
}

export interface LatencyProxy {
  readonly port: number;
  latencyMs(): number;
  /** Takes effect for chunks arriving from now on; nothing restarts. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** One direction of one connection: chunks wait here until their release time. */
function delayedPipe(from: net.Socket, to: net.Socket, halfDelay: () => number): void {
  const queue: { due: number; chunk: Buffer | null }[] = []; // null = end of stream
  let timer: NodeJS.Timeout | undefined;

  const release = (): void => {
    timer = undefined;
    const t = performance.now();
    while (queue.length > 0 && queue[0]!.due <= t) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(release, queue[0]!.due - t);
  };
  const push = (chunk: Buffer | null): void => {
    const delay = halfDelay();
    // No delay and nothing queued: forward at once (order is still kept).
    if (delay === 0 && queue.length === 0) {
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
      return;
    }
    queue.push({ due: performance.now() + delay, chunk });
    if (!timer) timer = setTimeout(release, Math.max(0, queue[0]!.due - performance.now()));
  };

  from.on('data', (chunk: Buffer) => push(chunk));
  from.on('end', () => push(null));
  from.on('close', () => {
    // A closed peer (a killed database) ends the other side after the data in flight.
    if (!from.readableEnded) push(null);
  });
}

export function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  let latency = options.latencyMs;
  const sockets = new Set<net.Socket>();
  const halfDelay = (): number => latency / 2;

  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort });
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A refused or reset upstream closes the client too: the driver then sees a network error.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, halfDelay);
    delayedPipe(upstream, client, halfDelay);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('proxy: no TCP address'));
      resolve({
        port: address.port,
        latencyMs: () => latency,
        setLatency(ms) {
          latency = ms;
        },
        close() {
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
