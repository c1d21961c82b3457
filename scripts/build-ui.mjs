// `npm install` and `npm ci` run this (npm's `prepare`): the UI is built once, at install,
// so `npm start` does not spend seconds building it. A failed build must not fail the
// install: the lab's API works without it, and `npm start` tries again and shows why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');

function warn(lines) {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
}

if (!existsSync(vite)) {
  // e.g. `npm install --omit=dev`: no Vite, so nothing to build with.
  warn([
    'The UI was not built: Vite is not installed (were dev dependencies left out?).',
    '`npm start` serves the API; run `npm install` with dev dependencies to get the UI.',
  ]);
  process.exit(0);
}
const started = Date.now();
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (result.status === 0) {
  console.log(`built the UI into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  warn([
    `The UI build failed (${result.error?.message ?? `vite exited with ${result.status ?? result.signal}`}); see the lines above.`,
    'The install itself succeeded. `npm start` will try the build again and show the error on the page.',
  ]);
}
