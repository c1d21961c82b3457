// A lab for the browser suite, run from the compiled server (scripts/build-server.mjs) as
// `npm start` runs it: `node tests/e2e/labFromBuild.mjs <the lab's flags>`, with E2E_LAB_BUILD
// naming the build folder (tests/e2e/run.mjs checks or makes it once per run). Every lab the
// suite starts, its children included, then runs plain JavaScript: through tsx, each lab
// transformed its own code and compiled its subject and proxy again (seconds of CPU per lab,
// and the suite starts eight). The lab's code and behaviour are the same either way.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const buildDir = process.env.E2E_LAB_BUILD;
if (!buildDir) {
  console.error('E2E_LAB_BUILD is not set: tests/e2e/run.mjs names the server build the labs run from');
  process.exit(2);
}
// What server/start.mjs hands the lab: children start from this build's bundles too (server/launch.ts).
globalThis.__eventLoopLabLaunch = { mode: 'build', buildDir };
await import(pathToFileURL(path.join(buildDir, 'lab.mjs')).href);
