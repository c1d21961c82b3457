/**
 * workers > 1 for the Tornado subject: several Tornado processes behind a round-robin
 * balancer, as the Node subject's node:cluster primary does for Node workers. Python
 * processes cannot join a node:cluster, so this balancer hands each incoming connection
 * to the next worker in turn over a local TCP hop. It runs no handler itself; it relays
 * the workers' reports to the supervisor and the supervisor's commands to every worker.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { exitWithParent } from '../process/children';
import type { SubjectCommand, SubjectReport, SubjectSpec } from '../subject/messages';
import { SPEC_ENV } from '../subject/messages';
import { PYTHON_ENV, spawnTornadoWorker } from './spawn';

exitWithParent();

const send = (report: SubjectReport): void => {
  if (process.connected) process.send?.(report);
};

const spec = JSON.parse(process.env[SPEC_ENV] ?? 'null') as SubjectSpec | null;
const python = process.env[PYTHON_ENV];
if (!spec || !python) {
  console.error(`tornado balancer: missing ${SPEC_ENV} or ${PYTHON_ENV}`);
  process.exit(2);
}

const workers: ChildProcess[] = [];
const ports: number[] = [];
let stopping = false;
let pendingWarm = 0;
let warmFailure: string | undefined;

const ready = new Promise<void>((resolve) => {
  for (let index = 0; index < spec.config.workers; index++) {
    const worker = spawnTornadoWorker(python, spec, index);
    workers.push(worker);
    worker.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    worker.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    worker.on('message', (report: SubjectReport) => {
      if (report.type === 'ready') {
        ports[index] = report.port;
        if (ports.filter((port) => port !== undefined).length === spec.config.workers) resolve();
      } else if (report.type === 'warmed') {
        if (!report.ok) warmFailure = report.message;
        pendingWarm -= 1;
        if (pendingWarm === 0)
          send(warmFailure ? { type: 'warmed', ok: false, message: warmFailure } : { type: 'warmed', ok: true });
      } else {
        send(report);
      }
    });
    worker.once('exit', (code, signal) => {
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
  for (const worker of workers) if (worker.connected) worker.send(command);
});
process.once('SIGTERM', () => {
  stopping = true;
  for (const worker of workers) worker.kill('SIGTERM');
  process.exit(0);
});

await ready;
let next = 0;
const server = net.createServer({ noDelay: true }, (client) => {
  const port = ports[next++ % ports.length]!;
  const upstream = net.connect({ port, host: '127.0.0.1', noDelay: true });
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address !== 'string') send({ type: 'ready', port: address.port });
});
