/**
 * Which database driver served a run, in words, for its trace (`run.started.driver`): a
 * recording then says what it was recorded with, e.g. a Tornado run's "Motor 2.3.0 (pymongo
 * on a thread pool)" next to a Node run's "mongodb 7.9.0 (Node), awaited".
 */
import { createRequire } from 'node:module';
import type { LabConfig } from '../../common/config';
import type { TornadoRuntimeInfo } from '../../common/api';

let nodeDriverVersion: string | undefined;
function nodeDriver(): string {
  nodeDriverVersion ??= (createRequire(import.meta.url)('mongodb/package.json') as { version: string }).version;
  return `mongodb ${nodeDriverVersion} (Node)`;
}

export function describeDriver(
  config: Pick<LabConfig, 'runtime' | 'mode' | 'executorThreads'>,
  tornado: TornadoRuntimeInfo | undefined,
): string {
  const threads = config.executorThreads > 0 ? ` on ${config.executorThreads} executor threads` : '';
  if (config.runtime === 'tornado') {
    if (!tornado?.available) return 'the Tornado subject (driver unknown)';
    return config.mode === 'nonblocking' ? tornado.asyncDriver : `pymongo ${tornado.pymongo}, blocking${threads}`;
  }
  return config.mode === 'nonblocking'
    ? `${nodeDriver()}, awaited`
    : `${nodeDriver()} behind a blocking facade${threads}`;
}
