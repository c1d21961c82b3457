/**
 * The load generator's thread. It sends the run's requests to the subject and records the
 * client side of each one (client.sent, client.firstByte, client.done) with the shared clock.
 * It runs on its own thread so that neither the subject's loop nor the lab's loop does the
 * sending: otherwise a busy lab would look like a slow subject.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { RUN_BOUNDS } from '../../common/config';
import { HEADER_RID, HEADER_RUN, now, type TraceEvent } from '../../common/trace';
import type { LoadCounts, LoadJob, ParentMessage, WorkerMessage } from './protocol';
import { requestFor } from './routes';

const port = parentPort;
if (!port) throw new Error('server/load/worker.ts must run as a worker thread');
const job = (workerData as { job: LoadJob }).job;
const route = job.plan.route ?? 'getUser';
const target = new URL(job.baseUrl);

let buffer: TraceEvent[] = [];
const counts: LoadCounts = { sent: 0, completed: 0, errors: 0 };
let cancelled = false;

function post(message: WorkerMessage): void {
  port!.postMessage(message);
}
function flush(): void {
  if (buffer.length === 0) return;
  post({ type: 'events', events: buffer });
  buffer = [];
}
const flusher = setInterval(flush, job.batchMs);

const closed = 'concurrency' in job.plan;
// Closed loop: exactly `concurrency` sockets. Open loop: arrivals do not wait for replies,
// so sockets are capped only by the concurrency bound; past that, requests queue in the
// agent and their latency (measured from scheduledAt) shows the wait.
const agent = new http.Agent({
  keepAlive: true,
  maxSockets: closed ? (job.plan as { concurrency: number }).concurrency : RUN_BOUNDS.concurrency.max,
});

function send(index: number, scheduledAt?: number): Promise<void> {
  const rid = `${job.runId}-${index}`;
  const { method, path, body } = requestFor(route, index, job.runId);
  const headers: Record<string, string> = { [HEADER_RID]: rid, [HEADER_RUN]: job.runId };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve) => {
    let finished = false;
    const finish = (status: number, error?: string) => {
      if (finished) return;
      finished = true;
      buffer.push(error ? { type: 'client.done', t: now(), rid, status, error } : { type: 'client.done', t: now(), rid, status });
      if (error || status >= 400) counts.errors += 1;
      counts.completed += 1;
      resolve();
    };
    const req = http.request(
      { agent, hostname: target.hostname, port: target.port, method, path, headers, timeout: job.requestTimeoutMs },
      (res) => {
        // 'response' fires once the status line and headers are parsed: the first bytes are in.
        buffer.push({ type: 'client.firstByte', t: now(), rid });
        res.resume();
        res.once('end', () => finish(res.statusCode ?? 0));
        res.once('error', (error) => finish(res.statusCode ?? 0, error.message));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no reply within ${job.requestTimeoutMs} ms`)));
    req.once('error', (error) => finish(0, cancelled ? 'cancelled' : error.message));
    buffer.push(
      scheduledAt === undefined
        ? { type: 'client.sent', t: now(), rid, route }
        : { type: 'client.sent', t: now(), rid, route, scheduledAt },
    );
    counts.sent += 1;
    req.end(body);
  });
}

async function closedLoop(requests: number, concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (!cancelled && next < requests) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, lane));
}

/** Open loop: request i is due at start + i / rate, whatever happened to the earlier ones. */
function openLoop(ratePerSec: number, durationSec: number): Promise<void> {
  const total = ratePerSec * durationSec;
  const interval = 1000 / ratePerSec;
  const start = now();
  const inFlight: Promise<void>[] = [];
  let index = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const t = now();
      while (!cancelled && index < total && start + index * interval <= t) {
        inFlight.push(send(index, start + index * interval));
        index += 1;
      }
      if (cancelled || index >= total) {
        void Promise.all(inFlight).then(() => resolve());
        return;
      }
      setTimeout(tick, Math.max(0, start + index * interval - now()));
    };
    tick();
  });
}

port.on('message', (message: ParentMessage) => {
  if (message.type === 'cancel') {
    cancelled = true;
    agent.destroy();
  }
});

try {
  if ('concurrency' in job.plan) await closedLoop(job.plan.requests, job.plan.concurrency);
  else await openLoop(job.plan.ratePerSec, job.plan.durationSec);
  clearInterval(flusher);
  flush();
  post({ type: 'done', cancelled, ...counts });
} catch (error) {
  clearInterval(flusher);
  flush();
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  agent.destroy();
}
