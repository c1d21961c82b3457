/**
 * A token bucket: `ratePerSec` tokens a second, holding at most `burst`. Each student
 * has one, so a phone can send a burst (the "Send 10" button) but not a flood.
 *
 * Hand-written: @fastify/rate-limit keys by IP or a key function but answers every route
 * it covers the same way; here one bucket gates only /subject/* for one student and the
 * bucket must say how long to wait (Retry-After). Eight lines of arithmetic.
 */
export type Take = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(ratePerSec > 0) || !(burst >= 1)) throw new RangeError('a token bucket needs ratePerSec > 0 and burst >= 1');
    this.tokens = burst;
    this.last = clock();
  }

  /** Takes `n` tokens if there are that many; otherwise says when there will be. */
  take(n = 1): Take {
    const can = this.check(n);
    if (can.ok) this.tokens -= n;
    return can;
  }

  /** Whether `n` tokens could be taken now (and if not, when), taking none. */
  check(n = 1): Take {
    this.refill();
    if (this.tokens >= n) return { ok: true };
    return { ok: false, retryAfterMs: Math.ceil(((n - this.tokens) / this.ratePerSec) * 1000) };
  }

  /** Full again: as good as a new bucket, so nothing is lost by forgetting it. */
  get full(): boolean {
    return this.available() >= this.burst;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
  }
}
