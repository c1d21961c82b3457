/**
 * workers > 1: FriendFeed's answer, several subject processes behind a round-robin
 * balancer. This process is node:cluster's primary in round-robin mode: it accepts
 * connections on the shared port and hands them to the workers in turn. It runs no
 * handler itself; it relays the workers' reports to the supervisor.
 */
import cluster, { type Worker } from 'node:cluster';
import type { SubjectCommand, SubjectReport, SubjectSpec } from './messages';
import { SPEC_ENV, WORKER_ENV } from './messages';

export async function runBalancer(spec: SubjectSpec, send: (report: SubjectReport) => void): Promise<void> {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  // The workers' trace batches are binary (runtime/traceBatch.ts): structured clone carries a
  // Float64Array as one block of bytes, where node:cluster's default JSON would spell out every number.
  cluster.setupPrimary({ serialization: 'advanced' });
  const count = spec.config.workers;
  const workers: Worker[] = [];
  let stopping = false;
  // A command goes to every worker; its answer goes up once all of them have answered.
  let pendingWarm = 0;
  let warmFailure: string | undefined;
  let pendingConfigure = 0;
  let configureFailure: string | undefined;

  const ready = new Promise<number>((resolve) => {
    let readyCount = 0;
    for (let index = 0; index < count; index++) {
      const worker = cluster.fork({ [SPEC_ENV]: JSON.stringify(spec), [WORKER_ENV]: String(index) });
      workers.push(worker);
      worker.on('message', (report: SubjectReport) => {
        if (report.type === 'ready') {
          readyCount += 1;
          if (readyCount === count) resolve(report.port);
        } else if (report.type === 'warmed') {
          if (!report.ok) warmFailure = report.message;
          pendingWarm -= 1;
          if (pendingWarm === 0)
            send(warmFailure ? { type: 'warmed', ok: false, message: warmFailure } : { type: 'warmed', ok: true });
        } else if (report.type === 'configured') {
          if (!report.ok) configureFailure = report.message ?? 'unknown error';
          pendingConfigure -= 1;
          if (pendingConfigure === 0)
            send(
              configureFailure
                ? { type: 'configured', ok: false, message: configureFailure }
                : { type: 'configured', ok: true },
            );
        } else {
          send(report);
        }
      });
      worker.on('exit', (code, signal) => {
        if (stopping) return;
        // One worker gone: let the supervisor restart the whole group, simply and visibly.
        send({ type: 'fatal', message: `subject worker ${index} exited (${signal ?? code})` });
        process.exit(1);
      });
    }
  });

  process.on('message', (command: SubjectCommand) => {
    if (command.type === 'warm') {
      pendingWarm = workers.length;
      warmFailure = undefined;
    }
    if (command.type === 'configure') {
      pendingConfigure = workers.length;
      configureFailure = undefined;
    }
    for (const worker of workers) worker.send(command);
  });
  process.once('SIGTERM', () => {
    stopping = true;
    for (const worker of workers) worker.kill('SIGTERM');
    process.exit(0);
  });

  send({ type: 'ready', port: await ready });
}
