import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../../server/lab/classroom/gate';
import { DEFAULT_LIMITS, RECENT_RESULTS, StudentRegistry } from '../../../server/lab/classroom/registry';

describe('StudentRegistry', () => {
  it('gives each student a secret key and a short id, and finds them by the key only', () => {
    const registry = new StudentRegistry();
    const joined = registry.join('Ada');
    if (!joined.ok) throw new Error(joined.message);
    expect(joined.student.id).toBe('s1');
    expect(joined.student.key).toMatch(/^[\w-]{32}$/);
    expect(registry.find(joined.student.key)).toBe(joined.student);
    expect(registry.find('Ada')).toBeUndefined();
    expect(registry.find({ key: joined.student.key })).toBeUndefined();
  });

  it('refuses a nickname already taken, ignoring case', () => {
    const registry = new StudentRegistry();
    registry.join('Ada');
    expect(registry.join('ADA')).toMatchObject({ ok: false, status: 409 });
  });

  it('lets a student rename themselves with their key', () => {
    const registry = new StudentRegistry();
    const first = registry.join('Ada');
    if (!first.ok) throw new Error(first.message);
    const renamed = registry.join('Ada L', first.student.key);
    expect(renamed).toMatchObject({ ok: true, student: { id: 's1', nickname: 'Ada L' } });
    expect(registry.size).toBe(1);
    expect(registry.join('Ada').ok).toBe(true);
  });

  it('caps the class, and gives a seat idle long enough to a newcomer', () => {
    let t = 0;
    const registry = new StudentRegistry({ ...DEFAULT_LIMITS, maxStudents: 2, idleEvictMs: 60_000 }, () => t);
    registry.join('a');
    registry.join('b');
    expect(registry.join('c')).toMatchObject({ ok: false, status: 503 });
    t = 61_000;
    expect(registry.join('c')).toMatchObject({ ok: true });
    expect(registry.list().map((s) => s.nickname).sort()).toEqual(['b', 'c']);
  });

  it('never evicts a student with requests in flight', () => {
    let t = 0;
    const registry = new StudentRegistry({ ...DEFAULT_LIMITS, maxStudents: 1, idleEvictMs: 1 }, () => t);
    const a = registry.join('a');
    if (!a.ok) throw new Error(a.message);
    a.student.inFlight = 1;
    t = 10_000;
    expect(registry.join('b')).toMatchObject({ ok: false, status: 503 });
  });

  it('keeps a bounded record of results and the longest wait', () => {
    const registry = new StudentRegistry();
    const a = registry.join('a');
    if (!a.ok) throw new Error(a.message);
    for (let i = 1; i <= 100; i++) registry.record(a.student, { status: 200, latencyMs: i === 50 ? 900 : i });
    expect(a.student.recent).toHaveLength(RECENT_RESULTS);
    expect(a.student.maxLatencyMs).toBe(900);
    expect(a.student.answered).toBe(100);
    expect(registry.list()[0]).not.toHaveProperty('key');
  });
});

describe('ConcurrencyGate', () => {
  it('lets max through, queues up to maxQueue, refuses the rest, and hands slots on in order', async () => {
    const gate = new ConcurrencyGate(2, 1);
    const a = await gate.acquire()!;
    await gate.acquire()!;
    const queued = gate.acquire();
    expect(queued).toBeDefined();
    expect(gate.acquire()).toBeUndefined();
    let third = false;
    void queued!.then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    a(); // a second release is ignored
    await queued;
    expect(third).toBe(true);
    expect(gate.inFlight).toBe(2);
    expect(gate.queued).toBe(0);
  });
});
