/**
 * The load generator's thread: one per lab, kept between runs (starting a thread with
 * tsx costs a few hundred ms of CPU). It runs one job at a time on request from
 * generator.ts and ships the client events back in batches. Its own thread, so that
 * neither the subject's loop nor the lab's loop does the sending: otherwise a busy lab
 * would look like a slow subject.
 */
import { parentPort } from 'node:worker_threads';
import type { TraceEvent } from '../../common/trace';
import type { ParentMessage, WorkerMessage } from './protocol';
import { runJob, type RunningJob } from './job';
import { runLongPollJob } from './longPollJob';

const port = parentPort;
if (!port) throw new Error('server/load/worker.ts must run as a worker thread');
const post = (message: WorkerMessage) => port.postMessage(message);

let current: RunningJob | undefined;

port.on('message', (message: ParentMessage) => {
  if (message.type === 'cancel') {
    current?.cancel();
    return;
  }
  if (current) {
    post({ type: 'failed', message: 'a run is already in progress on this generator' });
    return;
  }
  const ship = (events: TraceEvent[]) => post({ type: 'events', events });
  const { job } = message;
  const running = job.longPoll ? runLongPollJob(job, job.longPoll, ship) : runJob(job, ship);
  current = running;
  running.result
    .then(
      (result) => post({ type: 'done', ...result }),
      (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    )
    .finally(() => {
      current = undefined;
    });
});
post({ type: 'ready' });
