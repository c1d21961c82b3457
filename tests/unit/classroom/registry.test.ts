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
    for (const name of ['a', 'b']) {
      const joined = registry.join(name);
      if (joined.ok) registry.find(joined.student.key); // their phones came back: not silent seats
    }
    expect(registry.join('c')).toMatchObject({ ok: false, status: 503 });
    t = 61_000;
    expect(registry.join('c')).toMatchObject({ ok: true });
    expect(
      registry
        .list()
        .map((s) => s.nickname)
        .sort(),
    ).toEqual(['b', 'c']);
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

describe('seats per client address', () => {
  const limits = { ...DEFAULT_LIMITS, joinsPerMinute: 3, ratePerSec: 1, burst: 4, silentEvictMs: 30_000 };

  it('gives one address its joins a minute, then one every 60/N s, and other addresses theirs', () => {
    let t = 0;
    const registry = new StudentRegistry(limits, () => t);
    for (const name of ['a', 'b', 'c']) expect(registry.join(name, undefined, '10.0.0.1').ok).toBe(true);
    expect(registry.join('d', undefined, '10.0.0.1')).toMatchObject({ ok: false, status: 429, retryAfterSec: 20 });
    expect(registry.join('d', undefined, '10.0.0.2').ok).toBe(true);
    t = 20_000;
    expect(registry.join('e', undefined, '10.0.0.1').ok).toBe(true);
    expect(registry.join('f', undefined, '10.0.0.1')).toMatchObject({ ok: false, status: 429 });
  });

  it('costs no join to rename, to be refused a taken name, or to find the room full', () => {
    const registry = new StudentRegistry({ ...limits, maxStudents: 2 });
    const a = registry.join('a', undefined, '10.0.0.1');
    if (!a.ok) throw new Error(a.message);
    for (let i = 0; i < 5; i++) expect(registry.join(`a${i}`, a.student.key, '10.0.0.1').ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(registry.join('A4', undefined, '10.0.0.1')).toMatchObject({ status: 409 });
    expect(registry.join('b', undefined, '10.0.0.2').ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(registry.join('c', undefined, '10.0.0.1')).toMatchObject({ status: 503 });
  });

  it('hands a drained request bucket to the next seat from the same address, not to another address', () => {
    const registry = new StudentRegistry(limits, () => 0);
    const first = registry.join('a', undefined, '10.0.0.1');
    if (!first.ok) throw new Error(first.message);
    while (first.student.bucket.take().ok);
    registry.leave(first.student);
    const again = registry.join('a', undefined, '10.0.0.1');
    if (!again.ok) throw new Error(again.message);
    expect(again.student.bucket.available()).toBe(0);
    const elsewhere = registry.join('b', undefined, '10.0.0.2');
    if (!elsewhere.ok) throw new Error(elsewhere.message);
    expect(elsewhere.student.bucket.available()).toBe(limits.burst);
  });

  it('frees a seat never heard from after the silent spell, and keeps one that was', () => {
    let t = 0;
    const registry = new StudentRegistry(limits, () => t);
    const silent = registry.join('silent', undefined, '10.0.0.1');
    const heard = registry.join('heard', undefined, '10.0.0.1');
    if (!silent.ok || !heard.ok) throw new Error('join failed');
    registry.find(heard.student.key);
    t = limits.silentEvictMs - 1;
    expect(registry.size).toBe(2);
    t = limits.silentEvictMs;
    expect(registry.list().map((s) => s.nickname)).toEqual(['heard']);
    expect(registry.find(silent.student.key)).toBeUndefined();
    expect(registry.goneReason(silent.student.key)).toMatch(/never used it/);
    expect(registry.join('silent', undefined, '10.0.0.2').ok).toBe(true);
  });

  it('lets the presenter remove a student by id, and remembers why for their phone', () => {
    const registry = new StudentRegistry(limits);
    const a = registry.join('a', undefined, '10.0.0.7');
    if (!a.ok) throw new Error(a.message);
    expect(registry.seats()[0]).toMatchObject({
      id: a.student.id,
      nickname: 'a',
      address: '10.0.0.7',
      heard: false,
      sent: 0,
    });
    expect(registry.remove('s999')).toBeUndefined();
    expect(registry.remove(a.student.id)).toBe(a.student);
    expect(registry.size).toBe(0);
    expect(registry.goneReason(a.student.key)).toMatch(/presenter removed you/);
    expect(registry.goneReason('nope')).toBeUndefined();
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
