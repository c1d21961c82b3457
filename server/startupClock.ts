/**
 * How long each part of start-up took, said in one line: a newcomer waiting for the URL
 * sees where the seconds went, and the start-up benchmark reads the same line.
 */
import { performance } from 'node:perf_hooks';

export interface StartupPhase {
  name: string;
  ms: number;
}

export interface StartupClock {
  /** Times one phase; phases timed at the same time ran in parallel. */
  time<T>(name: string, work: Promise<T> | (() => Promise<T>)): Promise<T>;
  phases(): readonly StartupPhase[];
  /** e.g. "ready in 2.4 s (node + tsx 0.8 s, database 0.9 s, subject 1.1 s, seed 0.4 s)". */
  summary(): string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `now` counts from the process's start (Node's performance.now()), so loading the code is counted too. */
export function createStartupClock(now: () => number = () => performance.now()): StartupClock {
  const booted = now();
  const phases: StartupPhase[] = [{ name: 'node + tsx', ms: booted }];
  return {
    async time(name, work) {
      const started = now();
      try {
        return await (typeof work === 'function' ? work() : work);
      } finally {
        phases.push({ name, ms: now() - started });
      }
    },
    phases: () => phases,
    summary: () => `ready in ${seconds(now())} (${phases.map((p) => `${p.name} ${seconds(p.ms)}`).join(', ')})`,
  };
}
