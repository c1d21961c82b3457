import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { runName } from '../../../src/viz/components/RunsPanel';

describe('runs in the Runs list', () => {
  it('are named by mode, latency and time, not by their ids', () => {
    const name = runName({
      config: { ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 200 },
      startedAt: Date.UTC(2026, 0, 1, 12, 0, 5),
    });
    expect(name).toMatch(/^blocking, 200 ms, \S+/);
    expect(runName({ config: { ...DEFAULT_CONFIG, mode: 'nonblocking', dbLatencyMs: 100 }, startedAt: 0 })).toMatch(
      /^non-blocking, 100 ms, /,
    );
  });
});
