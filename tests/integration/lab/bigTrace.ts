/** A large, valid trace file (JSON lines) for import tests and the heavy-use benchmark. */
import { DEFAULT_CONFIG } from '../../../common/config';
import { TRACE_VERSION } from '../../../common/trace';

/** About `megabytes` MB of a recorded-looking run: three client events per request, a sample every 50 requests. */
export function bigTrace(megabytes: number): { text: string; requests: number } {
  const t0 = 1_700_000_000_000;
  const lines = [
    JSON.stringify({
      type: 'run.started',
      t: t0,
      runId: 'big',
      version: TRACE_VERSION,
      config: DEFAULT_CONFIG,
      plan: { requests: 100_000, concurrency: 100 },
    }),
  ];
  let bytes = 0;
  let requests = 0;
  while (bytes < megabytes * 1024 * 1024) {
    const t = t0 + requests * 0.5;
    const rid = `big-${requests}`;
    const chunk = [
      JSON.stringify({ type: 'client.sent', t, rid, route: 'getUser' }),
      JSON.stringify({ type: 'subject.accepted', t: t + 0.1, rid, worker: 0, route: 'getUser', mode: 'nonblocking' }),
      JSON.stringify({ type: 'client.firstByte', t: t + 2.25, rid }),
      JSON.stringify({ type: 'client.done', t: t + 2.5 + (requests % 7), rid, status: 200 }),
    ];
    if (requests % 50 === 0) {
      chunk.push(
        JSON.stringify({
          type: 'sample',
          t: t + 3,
          worker: 0,
          loopDelayMaxMs: 1.5,
          elu: 0.4,
          poolInUse: 3,
          poolWaiting: 0,
          dbInFlight: 3,
          rssBytes: 9e7,
          heapUsedBytes: 3e7,
        }),
      );
    }
    for (const line of chunk) bytes += line.length + 1;
    lines.push(...chunk);
    requests += 1;
  }
  lines.push(JSON.stringify({ type: 'run.finished', t: t0 + requests * 0.5 + 20, runId: 'big', status: 'done' }));
  return { text: `${lines.join('\n')}\n`, requests };
}
