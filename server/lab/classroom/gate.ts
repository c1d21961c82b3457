/**
 * A concurrency gate with a bounded queue, for students' requests only: at most `max`
 * of them are being forwarded at once and at most `maxQueue` wait. The presenter's own
 * requests and the lab's API never pass through it, so a room of phones cannot put them
 * at the back of a queue; when the queue is full the student gets a 429 at once instead
 * of the lab holding an unbounded pile of open requests.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly max: number,
    readonly maxQueue: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free, or returns undefined at once
   * when the queue is full. Call the release exactly once (extra calls are ignored).
   */
  acquire(): Promise<() => void> | undefined {
    if (this.active < this.max) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueue) return undefined;
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter: `active` stays the same.
      if (next) next();
      else this.active -= 1;
    };
  }
}
