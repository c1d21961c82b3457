/** The start-up line: which parts it names, and that its figures add up. */
import { describe, expect, it } from 'vitest';
import { bootPhases, createStartupClock } from '../../server/startupClock';

describe('the start-up line', () => {
  it('names how the code was loaded: from the build, compiled at this start, or through tsx', () => {
    expect(bootPhases(300, { mode: 'build' })).toEqual([{ name: 'node', ms: 300 }]);
    expect(bootPhases(1500, { mode: 'rebuilt', buildMs: 1200 })).toEqual([
      { name: 'node', ms: 300 },
      { name: 'compiling the server', ms: 1200 },
    ]);
    expect(bootPhases(1400, { mode: 'tsx' })).toEqual([{ name: 'node + tsx', ms: 1400 }]);
  });

  it('says each part and the total, the total counted from the process start', async () => {
    let t = 250;
    const clock = createStartupClock(() => t, { mode: 'build' });
    await clock.time('database', async () => {
      t += 600;
    });
    clock.record('seed', 400);
    t += 50;
    expect(clock.summary()).toBe('ready in 0.9 s (node 0.3 s, database 0.6 s, seed 0.4 s)');
  });
});
