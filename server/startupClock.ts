/**
 * How long each part of start-up took, said in one line: a newcomer waiting for the URL
 * sees where the seconds went, and the start-up benchmark reads the same line.
 */
import { performance } from 'node:perf_hooks';
import { launch, type Launch } from './launch';

export interface StartupPhase {
  name: string;
  ms: number;
}

export interface StartupClock {
  /** Times one phase; phases timed at the same time ran in parallel. */
  time<T>(name: string, work: Promise<T> | (() => Promise<T>)): Promise<T>;
  /** A phase timed elsewhere (e.g. in a child process, which reports its own figure). */
  record(name: string, ms: number): void;
  phases(): readonly StartupPhase[];
  /** e.g. "ready in 1.6 s (node 0.2 s, database 0.5 s, proxy + subject 0.9 s, seed 0.1 s)". */
  summary(): string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The phases before the clock existed: Node's start and loading the lab's code, from its
 * build ("node") or through tsx ("node + tsx"), and compiling the build when start-up had to.
 */
export function bootPhases(booted: number, from: Launch): StartupPhase[] {
  if (from.mode === 'tsx') return [{ name: 'node + tsx', ms: booted }];
  if (from.mode === 'rebuilt') {
    const compile = Math.min(from.buildMs ?? 0, booted);
    return [
      { name: 'node', ms: booted - compile },
      { name: 'compiling the server', ms: compile },
    ];
  }
  return [{ name: 'node', ms: booted }];
}

/** `now` counts from the process's start (Node's performance.now()), so loading the code is counted too. */
export function createStartupClock(now: () => number = () => performance.now(), from: Launch = launch()): StartupClock {
  const booted = now();
  const phases: StartupPhase[] = bootPhases(booted, from);
  return {
    async time(name, work) {
      const started = now();
      try {
        return await (typeof work === 'function' ? work() : work);
      } finally {
        phases.push({ name, ms: now() - started });
      }
    },
    record(name, ms) {
      phases.push({ name, ms });
    },
    phases: () => phases,
    summary: () => `ready in ${seconds(now())} (${phases.map((p) => `${p.name} ${seconds(p.ms)}`).join(', ')})`,
  };
}
