/**
 * One subject process: opens both modes' data access (the starting mode's warm before it
 * reports ready: the pool is open before the first request), listens on 127.0.0.1
 * (a free port; with several workers the balancer shares one port among them), reports
 * ready, and answers the parent's commands.
 */
import type { DbErrorInfo } from './data/errors';
import { createDataAccess } from './dataAccess';
import { createSubjectServer, type LiveSettings } from './app';
import { loadHandlers } from './handlers/loader';
import type { SubjectCommand, SubjectReport, SubjectSpec } from './messages';
import { startSampler } from './runtime/sampler';
import { createTracer } from './runtime/tracer';
import { createHeldCount } from './updates/heldCount';

export async function serveSubject(
  spec: SubjectSpec,
  worker: number,
  send: (report: SubjectReport) => void,
): Promise<void> {
  const { config } = spec;
  let databaseUp: boolean | undefined;
  const onHealth = (up: boolean, error?: DbErrorInfo): void => {
    if (up === databaseUp) return;
    databaseUp = up;
    send(up ? { type: 'database', up } : { type: 'database', up, message: error?.message ?? 'database unavailable' });
  };

  const settings: LiveSettings = {
    mode: config.mode,
    cpuMs: config.cpuMs,
    blockingTimeoutMs: config.blockingTimeoutMs,
  };
  // Before the data access: its start-up warm already asks whether the process traces.
  // The sampler ships the batches from its own timer (every 50 ms while serving): one timer wakes the process, not two.
  const tracer = createTracer({
    enabled: config.tracing,
    worker,
    ship: (events) => send({ type: 'events', events }),
    flushEveryMs: 0,
  });
  const held = createHeldCount();
  const access = await createDataAccess(
    {
      held,
      executorThreads: config.executorThreads,
      blockingTimeoutMs: () => settings.blockingTimeoutMs,
      uri: spec.uri,
      dbName: spec.dbName,
      client: { poolSize: config.poolSize, dbLatencyMs: config.dbLatencyMs, monitorCommands: config.tracing },
      onHealth,
      tracing: () => tracer.enabled,
    },
    settings.mode,
  );
  const current = () => access.of(settings.mode).gauges;
  /** Requests being served, from arrival until their response closes (finished or cut off). */
  let inFlight = 0;
  const gauges = {
    poolInUse: () => current().poolInUse(),
    poolWaiting: () => current().poolWaiting(),
    dbInFlight: () => current().dbInFlight(),
    longPollsHeld: held.takePeak,
    requestsInFlight: () => inFlight,
  };
  let sampler = startSampler(tracer, gauges);
  const handlers = loadHandlers(spec.handlers);
  const server = createSubjectServer({
    access,
    tracer,
    worker,
    settings,
    handlers,
    editedDeadlineMs: spec.editedDeadlineMs,
  });
  if (spec.heartbeatMs) setInterval(() => send({ type: 'heartbeat', worker }), spec.heartbeatMs).unref();
  server.keepAliveTimeout = 30_000;
  /** Requests received, whether traced or not: the `tracing` answer carries it, with the process's CPU. */
  let received = 0;
  const closed = (): void => {
    inFlight -= 1;
  };
  // Ahead of the handler: a handler can block the loop before it first awaits (a blocking
  // call), and a resting sampler must be back at its 12.5 ms beat by then to measure it.
  server.prependListener('request', (_req, res) => {
    received += 1;
    inFlight += 1;
    res.once('close', closed);
    sampler.wake();
  });

  process.on('message', (command: SubjectCommand) => {
    if (command.type === 'configure') {
      // The mode switches only once its access is open: a request never finds it missing.
      const { mode, cpuMs, blockingTimeoutMs } = command;
      access.ready(mode).then(
        () => {
          Object.assign(settings, { mode, cpuMs, blockingTimeoutMs });
          send({ type: 'configured', ok: true });
        },
        (error: unknown) =>
          send({ type: 'configured', ok: false, message: error instanceof Error ? error.message : String(error) }),
      );
    }
    if (command.type === 'tracing') {
      sampler.stop();
      tracer.setEnabled(command.enabled);
      sampler = startSampler(tracer, gauges);
      const cpu = process.cpuUsage();
      send({ type: 'tracing', enabled: tracer.enabled, requests: received, cpuMicros: cpu.user + cpu.system });
    }
    if (command.type === 'warm') {
      access.warm().then(
        () => send({ type: 'warmed', ok: true }),
        (error: unknown) =>
          send({ type: 'warmed', ok: false, message: error instanceof Error ? error.message : String(error) }),
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A long accept queue: thousands of long-polls may connect while a blocked loop cannot accept them.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 16_384 }, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('subject: no TCP address');
  send({ type: 'ready', port: address.port });
}
