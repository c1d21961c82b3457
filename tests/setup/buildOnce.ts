/**
 * Vitest's global set-up: the lab's children (embedded database, latency proxy, subject and its
 * database thread) compiled once per run, as `npm start` runs them, instead of once per test
 * file. Without it every file that starts a lab pays for esbuild compiling the subject again,
 * and every database it starts goes through tsx (1.5 to 2.5 s of start-up on a busy two-core
 * machine against under half a second compiled): over a hundred files, minutes of CPU.
 *
 * Each file picks the build up in useBuild.ts. Under `npm run coverage` nothing is built here:
 * coverage needs the bundles the lab compiles itself, with source maps (server/launch.ts).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildServer, ROOT } from '../../scripts/build-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of this run's compiled children, or '' for each lab to compile its own. */
    labBuildDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.NODE_V8_COVERAGE || process.env.LAB_COVERAGE_SCRATCH) {
    project.provide('labBuildDir', '');
    return async () => {};
  }
  // Into a folder of its own, never build/server/: `npm start` in this tree keeps its build.
  // Inside this tree's node_modules, so that the lab's bundle finds the packages it leaves out
  // (vite, esbuild, ...) as build/server/ does: tests that run the lab as a process of its own
  // run it from here (builtLab.mjs). A folder under /tmp has no node_modules above it.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const parent = await mkdtemp(path.join(cache, 'lab-test-build-'));
  const outDir = await buildServer({ outDir: path.join(parent, 'server') });
  project.provide('labBuildDir', outDir);
  return () => rm(parent, { recursive: true, force: true });
}
