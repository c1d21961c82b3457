/**
 * How many long-polls the subject holds at once: the C10K figure, counted where the
 * holding happens (a waiter record, a busy thread, or the loop itself). Samples report the
 * most held at once since the previous sample, not the count at sampling time: a blocked
 * loop cannot take a sample, and by the time it can, its one waiter has gone.
 */
export interface HeldCount {
  enter(): void;
  leave(): void;
  /** The most held at once since the last call (the count now if nothing changed). */
  takePeak(): number;
}

export function createHeldCount(): HeldCount {
  let held = 0;
  let peak = 0;
  return {
    enter() {
      held += 1;
      if (held > peak) peak = held;
    },
    leave() {
      held = Math.max(0, held - 1);
    },
    takePeak() {
      const result = peak;
      peak = held;
      return result;
    },
  };
}
