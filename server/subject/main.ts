/**
 * The subject process entry (spawned by the supervisor with spawnNode). One process, one
 * event loop, serving the lesson handlers; or, with workers > 1, the balancer in front of
 * several such processes (node:cluster forks this same file as each worker).
 */
import cluster from 'node:cluster';
import { exitWithParent } from '../process/children';
import { runBalancer } from './balancer';
import { SPEC_ENV, type SubjectReport, type SubjectSpec, WORKER_ENV } from './messages';
import { serveSubject } from './serve';

exitWithParent();
// An edited handler's stack trace names the line the learner wrote (its inline source map).
process.setSourceMapsEnabled(true);

const send = (report: SubjectReport): void => {
  if (process.connected) process.send?.(report);
};

const spec = JSON.parse(process.env[SPEC_ENV] ?? 'null') as SubjectSpec | null;
if (!spec) {
  console.error(`subject: missing ${SPEC_ENV}`);
  process.exit(2);
}

try {
  if (cluster.isPrimary && spec.config.workers > 1) await runBalancer(spec, send);
  else await serveSubject(spec, Number(process.env[WORKER_ENV] ?? 0), send);
} catch (error) {
  send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
