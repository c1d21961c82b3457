/**
 * Per test file: the lab code this file imports starts its children from the run's build
 * (buildOnce.ts), as `npm start` does, rather than compiling its own (server/launch.ts).
 * The behaviour is the same either way; only the start-up cost differs.
 */
import { inject } from 'vitest';

const buildDir = inject('labBuildDir');
if (buildDir) globalThis.__eventLoopLabLaunch = { mode: 'build', buildDir };
