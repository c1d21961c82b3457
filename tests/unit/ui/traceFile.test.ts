import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/knobs';
import type { TraceEvent } from '../../../common/trace';
import { parseTraceLines, toTraceLines } from '../../../src/trace/store';

const sample = (t: number): TraceEvent => ({
  type: 'sample',
  t,
  worker: 0,
  loopDelayMaxMs: 0,
  elu: 0,
  poolInUse: 0,
  poolWaiting: 0,
  dbInFlight: 0,
  rssBytes: 0,
  heapUsedBytes: 0,
});

describe('toTraceLines', () => {
  it('writes run.started first even when a sample was stamped before it, and run.finished last', () => {
    const events: TraceEvent[] = [
      sample(999),
      {
        type: 'run.started',
        t: 1000,
        runId: 'r1',
        version: 1,
        config: DEFAULT_CONFIG,
        plan: { requests: 1, concurrency: 1 },
      },
      { type: 'client.sent', t: 1001, rid: 'a', route: 'getUser' },
      sample(1002),
      { type: 'run.finished', t: 1003, runId: 'r1', status: 'done' },
      sample(1004),
    ];
    const lines = parseTraceLines(toTraceLines(events));
    expect(lines.map((e) => e.type)).toEqual([
      'run.started',
      'sample',
      'client.sent',
      'sample',
      'sample',
      'run.finished',
    ]);
    expect(lines.filter((e) => e.type === 'sample').map((e) => e.t)).toEqual([999, 1002, 1004]);
  });
});
