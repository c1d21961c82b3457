/**
 * How this process came to run the lab's code: from the ahead-of-time build (server/start.mjs
 * checked it against the sources, or compiled it just now), or from source through tsx
 * (`npm run dev`, tests, or a build that could not be made). Children use the same build.
 */
import path from 'node:path';

export interface Launch {
  mode: 'build' | 'rebuilt' | 'tsx';
  /** build/server/: the bundles of every process, checked against the sources at start. */
  buildDir?: string;
  /** How long compiling took at this start ('rebuilt'), ms. */
  buildMs?: number;
  /** Why it was compiled at start, or why it runs from source. */
  why?: string;
}

declare global {
  var __eventLoopLabLaunch: Launch | undefined;
}

export function launch(): Launch {
  return globalThis.__eventLoopLabLaunch ?? { mode: 'tsx' };
}

/** A process's bundle in the checked build (e.g. 'embedded'), or undefined to start it from source. */
export function builtEntry(name: 'embedded' | 'proxy' | 'subject' | 'dbThread'): string | undefined {
  const dir = launch().buildDir;
  // The database thread is a CommonJS script (threadBoot.cjs starts it from V8's code cache).
  return dir ? path.join(dir, name === 'dbThread' ? 'dbThread.cjs' : `${name}.mjs`) : undefined;
}
