import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../server/lab/classroom/tokenBucket';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucket', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const c = clock();
    const bucket = new TokenBucket(5, 20, c.now);
    for (let i = 0; i < 20; i++) expect(bucket.take()).toEqual({ ok: true });
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 200 });
  });

  it('refills at its rate and never beyond the burst', () => {
    const c = clock();
    const bucket = new TokenBucket(5, 20, c.now);
    for (let i = 0; i < 20; i++) bucket.take();
    c.advance(1000);
    expect(bucket.available()).toBeCloseTo(5);
    c.advance(60_000);
    expect(bucket.available()).toBe(20);
  });

  it('holds a steady sender to its rate', () => {
    const c = clock();
    const bucket = new TokenBucket(5, 20, c.now);
    let ok = 0;
    // 10 requests a second for 10 s: the burst plus 5 a second get through.
    for (let i = 0; i < 100; i++) {
      if (bucket.take().ok) ok += 1;
      c.advance(100);
    }
    expect(ok).toBeGreaterThanOrEqual(69);
    expect(ok).toBeLessThanOrEqual(70);
  });

  it('says how long a larger take must wait', () => {
    const c = clock();
    const bucket = new TokenBucket(5, 20, c.now);
    for (let i = 0; i < 15; i++) bucket.take();
    expect(bucket.take(10)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(bucket.take(5)).toEqual({ ok: true });
  });

  it('refuses a bucket that could never hold a token', () => {
    expect(() => new TokenBucket(0, 20)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0)).toThrow(RangeError);
  });
});
