/**
 * The driver options every MongoClient in the subject uses (main thread or worker thread).
 */
import type { MongoClientOptions } from 'mongodb';

export interface ClientSettings {
  poolSize: number;
  /**
   * Connections the driver keeps open even when idle (and reopens after a network error);
   * poolSize unless said otherwise, so a batch right after any change measures the pool,
   * not its ramp.
   */
  minPoolSize?: number;
  /** The proxy latency when the subject started; server selection waits long enough for a handshake. */
  dbLatencyMs: number;
  /**
   * Report when each operation's command goes out (db.sent): on when tracing is. Read from
   * the pool's events (data/monitor.ts); the driver's command monitoring stays off, it costs
   * far more.
   */
  monitorCommands: boolean;
}

export function clientOptions({ poolSize, minPoolSize, dbLatencyMs }: ClientSettings): MongoClientOptions {
  return {
    maxPoolSize: poolSize,
    minPoolSize: Math.min(poolSize, minPoolSize ?? poolSize),
    // The driver opens at most 2 connections at a time by default; raised so that the pool
    // size, not the connection ramp, is what limits concurrency.
    maxConnecting: poolSize,
    // The subject talks to one address: the latency proxy. Discovering other members would bypass it.
    directConnection: true,
    // Bounded so a dead database turns into a 503 within ~2 s instead of a 30 s hang.
    serverSelectionTimeoutMS: 1500 + 2 * dbLatencyMs,
    connectTimeoutMS: 10_000,
    socketTimeoutMS: 30_000,
    // One handler call = one round trip in the trace; a silent retry would hide a failure.
    retryReads: false,
    retryWrites: false,
    appName: 'event-loop-lab-subject',
  };
}
