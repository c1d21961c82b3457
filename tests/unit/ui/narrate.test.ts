import { describe, expect, it } from 'vitest';
import type { RequestLifecycle } from '../../../src/trace/lifecycle';
import { narrate, threadCaption } from '../../../src/trace/narrate';
import type { RequestAt, Snapshot } from '../../../src/trace/snapshot';

const at = (rid: string, holdsLoop = false): RequestAt => ({
  life: { rid, dbOps: ['findOne'], segments: [] } as unknown as RequestLifecycle,
  phase: 'queued',
  since: 0,
  progress: 0,
  holdsLoop,
});

const snapshot = (parts: Partial<Snapshot>): Snapshot => ({
  t: 100,
  queued: [],
  onThread: [],
  pool: [],
  database: [],
  responding: [],
  done: 0,
  waiting: 0,
  eventIndex: 0,
  ...parts,
});

describe('the words under the thread', () => {
  it('never says idle while requests wait at the door', () => {
    const between = snapshot({ queued: [at('r2'), at('r3')] });
    expect(threadCaption(between, false)).toBe('taking in the next request: 2 at the door');
    expect(threadCaption(between, true)).not.toContain('idle');
    expect(narrate(between, 3)).not.toMatch(/idle/);
    const overlapping = snapshot({ queued: [at('r9')], database: [at('r1')] });
    expect(narrate(overlapping, 10)).toContain('takes the next of the 1 at the door in now');
  });

  it('says idle only when there is nothing at the door or on the thread', () => {
    expect(threadCaption(snapshot({}), false)).toBe('idle');
    expect(threadCaption(undefined, false)).toBe('idle');
  });

  it('names the request that holds the thread when it is blocked', () => {
    const blocked = snapshot({ onThread: [at('r1', true)], queued: [at('r2')] });
    expect(threadCaption(blocked, false)).toBe('BLOCKED: request 1 holds the thread');
    expect(threadCaption(snapshot({ onThread: [at('r4')] }), false)).toBe('running request 4');
  });
});
