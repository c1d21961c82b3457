/**
 * The lab's CLI (server/cli.ts) as a process of its own, for a test that starts a lab beside
 * the shared ones (a classroom, a lab it kills). Under the browser suite, tests/e2e/run.mjs
 * names a compiled server in E2E_LAB_BUILD and the lab runs from it, as `npm start` runs it;
 * a Vitest test names its run's build (inject('labBuildDir'), tests/setup/buildOnce.ts);
 * otherwise it runs from source through tsx. Same flags, same behaviour; the build only
 * spares each lab compiling its own code and children.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnNode } from '../../server/process/children';

export function spawnLabCli(args: string[], buildDir = process.env.E2E_LAB_BUILD): ChildProcess {
  return buildDir
    ? spawnNode('tests/e2e/labFromBuild.mjs', args, { typescript: false, env: { E2E_LAB_BUILD: buildDir } })
    : spawnNode('server/cli.ts', args);
}
