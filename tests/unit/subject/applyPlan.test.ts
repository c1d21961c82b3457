import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { planApply } from '../../../server/subject/applyPlan';

const node = DEFAULT_CONFIG;
const tornado = { ...DEFAULT_CONFIG, runtime: 'tornado' as const };

describe('how a config change reaches a running subject', () => {
  it("switches the Node subject's mode, timeout and CPU work in place", () => {
    expect(planApply(node, { ...node, mode: 'blocking' })).toBe('configure');
    expect(planApply(node, { ...node, blockingTimeoutMs: 900, cpuMs: 5 })).toBe('configure');
  });

  it('restarts for pools, threads, processes, tracing and the runtime', () => {
    for (const patch of [
      { poolSize: 3 },
      { executorThreads: 4 },
      { workers: 2 },
      { tracing: false },
      { runtime: 'tornado' as const },
    ]) {
      expect(planApply(node, { ...node, ...patch })).toBe('restart');
    }
  });

  it('restarts the Tornado subject for a mode change, and changes only its CPU work in place', () => {
    expect(planApply(tornado, { ...tornado, mode: 'blocking' })).toBe('restart');
    expect(planApply(tornado, { ...tornado, cpuMs: 5 })).toBe('configure');
  });

  it('does nothing when only the latency changes (the proxy takes that)', () => {
    expect(planApply(node, { ...node, dbLatencyMs: 300 })).toBe('nothing');
  });
});
