// `npm start`: the lab, run from its ahead-of-time build (build/server/, made by
// scripts/build-server.mjs at `npm install`) when that build matches the sources, in this
// same process (one node process for the lab: signals to npm's child reach it directly).
//
// A build that is missing or older than any source it was made from is never run: it is
// rebuilt first (about a second), and if that fails the lab starts from source through tsx,
// as `npm run dev` does. The start-up line says which (server/startupClock.ts).
// LAB_FROM_SOURCE=1 skips the build and starts through tsx.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILD_DIR, buildServer, staleReason } from '../scripts/build-server.mjs';

const say = (line) => console.log(line);

/** What server/launch.ts reads: how this process got to run the lab's code. */
function launch(info) {
  globalThis.__eventLoopLabLaunch = info;
}

async function fromBuild(info) {
  launch({ ...info, buildDir: BUILD_DIR });
  await import(pathToFileURL(path.join(BUILD_DIR, 'lab.mjs')).href);
}

async function fromSource(why) {
  launch({ mode: 'tsx', why });
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(fileURLToPath(new URL('./cli.ts', import.meta.url))).href);
}

async function main() {
  if (process.env.LAB_FROM_SOURCE === '1') return fromSource('LAB_FROM_SOURCE=1');
  const stale = staleReason();
  if (!stale) return fromBuild({ mode: 'build' });
  say(`compiling the server: ${stale} ...`);
  const started = performance.now();
  try {
    await buildServer();
  } catch (error) {
    const why = `the server could not be compiled (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    say(`${why}; starting it from source through tsx`);
    return fromSource(why);
  }
  const still = staleReason();
  // A source edited while it was compiling: the next start compiles again; this one runs the sources.
  if (still) return fromSource(`the sources changed while compiling (${still})`);
  return fromBuild({ mode: 'rebuilt', buildMs: performance.now() - started, why: stale });
}

await main();
