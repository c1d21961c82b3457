// `npm run test:e2e`: the browser suite. Finds a browser, builds the UI unless dist/ is the
// build of the current sources (`npm ci`'s `prepare` just made it, say), then hands over to
// Playwright (which starts the real labs, see playwright.config.ts). Every lab runs from the
// compiled server (tests/e2e/labFromBuild.mjs): build/server/ when it matches the sources
// (`npm ci`'s `prepare` made it), else a build of this run's own, removed at the end.
// No browser: a loud skip on a user's machine, a failure under CI, so CI can never skip silently.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { BUILD_DIR, buildServer, ROOT, staleReason } from '../../scripts/build-server.mjs';
import { uiBuildStale } from '../../scripts/ui-build-inputs.mjs';
import { findChrome } from './chrome.mjs';

const chrome = findChrome();
if (!chrome) {
  const lines = [
    'No Chromium or Chrome found (looked at CHROME_PATH and the usual install paths).',
    'The end-to-end browser tests did NOT run.',
    'Install one (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH=/path/to/chrome.',
  ];
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
  process.exit(process.env.CI ? 1 : 0);
}

// The second lab's port: a free one unless given, so E2E_PORT alone is all a caller picks
// (several checkouts on one machine each choose their own E2E_PORT).
if (!process.env.E2E_PORT_2) {
  process.env.E2E_PORT_2 = String(
    await new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    }),
  );
}

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, CHROME_PATH: chrome } });

const stale = uiBuildStale();
if (stale) {
  console.log(`building the UI: ${stale}`);
  const build = run('npx', ['vite', 'build', '--logLevel', 'warn']);
  if (build.status !== 0) process.exit(build.status ?? 1);
} else {
  console.log('the UI in dist/ is the build of the current sources: not building it again');
}
// The labs' server: never rebuilt in place (a lab of this run may be reading it), so a build
// that does not match the sources is replaced by one of this run's own, removed at the end.
const serverStale = staleReason();
let ownBuild;
if (serverStale) {
  console.log(`compiling the server for the labs: ${serverStale}`);
  // Inside the checkout (build/ is ignored by git): the lab's bundle imports a few packages
  // (esbuild, vite) from node_modules, which Node finds only from a folder under the checkout.
  mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  ownBuild = mkdtempSync(path.join(ROOT, 'build', 'e2e-'));
  try {
    process.env.E2E_LAB_BUILD = await buildServer({ outDir: path.join(ownBuild, 'server') });
  } catch (error) {
    // The labs then start from source through tsx (slower, same behaviour), as `npm start` would.
    console.log(`the server could not be compiled (${String(error).split('\n')[0]}): the labs run from source`);
  }
} else {
  console.log('build/server/ is the build of the current sources: the labs run from it');
  process.env.E2E_LAB_BUILD = BUILD_DIR;
}

const tests = run('npx', ['playwright', 'test', ...process.argv.slice(2)]);
if (ownBuild) rmSync(ownBuild, { recursive: true, force: true });
process.exit(tests.status ?? 1);
