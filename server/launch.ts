/**
 * How this process came to run the lab's code: from the ahead-of-time build (server/start.mjs
 * checked it against the sources, or compiled it just now), or from source through tsx
 * (`npm run dev`, tests, or a build that could not be made). Children use the same build.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * A fresh folder for the bundles this process compiles for its children, and whether they
 * carry source maps. Normally a temporary folder, removed when this process exits, and no maps.
 *
 * Under coverage (NODE_V8_COVERAGE, which `npm run coverage` hands every process), the bundles
 * get source maps and go into the coverage folder, where they stay: each child's coverage names
 * its bundle, and whoever reads the coverage later needs the bundle and its map to count those
 * lines as lines of server/ (scripts/coverage.mjs removes the whole folder once it has reported).
 */
export function bundleFolder(prefix: string): { outdir: string; sourcemap: boolean } {
  const coverage = process.env.NODE_V8_COVERAGE;
  if (coverage) {
    const parent = path.join(path.resolve(coverage), 'bundles');
    mkdirSync(parent, { recursive: true });
    return { outdir: mkdtempSync(path.join(parent, prefix)), sourcemap: true };
  }
  const outdir = mkdtempSync(path.join(tmpdir(), prefix));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  return { outdir, sourcemap: false };
}
