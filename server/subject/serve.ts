/**
 * One subject process: connects its data access for the mode, listens on 127.0.0.1
 * (a free port; with several workers the balancer shares one port among them) and
 * answers the parent's commands.
 */
import type { DbErrorInfo } from './data/errors';
import { createDataAccess } from './access';
import { createSubjectServer } from './app';
import type { SubjectCommand, SubjectReport, SubjectSpec } from './messages';
import { startSampler } from './runtime/sampler';
import { createTracer } from './runtime/tracer';

export async function serveSubject(spec: SubjectSpec, worker: number, send: (report: SubjectReport) => void): Promise<void> {
  const { config } = spec;
  let databaseUp: boolean | undefined;
  const onHealth = (up: boolean, error?: DbErrorInfo): void => {
    if (up === databaseUp) return;
    databaseUp = up;
    send(up ? { type: 'database', up } : { type: 'database', up, message: error?.message ?? 'database unavailable' });
  };

  const access = await createDataAccess({
    mode: config.mode,
    executorThreads: config.mode === 'blocking' ? config.executorThreads : 0,
    blockingTimeoutMs: config.blockingTimeoutMs,
    uri: spec.uri,
    dbName: spec.dbName,
    client: { poolSize: config.poolSize, dbLatencyMs: config.dbLatencyMs, monitorCommands: config.tracing },
    onHealth,
  });
  const tracer = createTracer({ enabled: config.tracing, worker, ship: (events) => send({ type: 'events', events }) });
  startSampler(tracer, access.gauges);
  const settings = { cpuMs: config.cpuMs };
  const server = createSubjectServer({ mode: config.mode, access, tracer, worker, settings });
  server.keepAliveTimeout = 30_000;

  process.on('message', (command: SubjectCommand) => {
    if (command.type === 'configure') settings.cpuMs = command.cpuMs;
    if (command.type === 'warm') {
      access.warm().then(
        () => send({ type: 'warmed', ok: true }),
        (error: unknown) => send({ type: 'warmed', ok: false, message: error instanceof Error ? error.message : String(error) }),
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('subject: no TCP address');
  send({ type: 'ready', port: address.port });
}
