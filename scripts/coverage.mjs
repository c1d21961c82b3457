// `npm run coverage`: the unit and integration tests with V8 coverage of every process they run.
//
// The tests' own workers report through Vitest's coverage provider (Monocart's, set in
// vite.config.ts). The lab, the database server and the load generator also run in child
// processes and worker threads the tests start; LAB_COVERAGE_SCRATCH makes Vitest hand them
// NODE_V8_COVERAGE, so each writes its coverage (with tsx's source maps) when it exits. Monocart
// merges both at the V8 level and maps them to server/, src/ and common/ before counting, so a
// line run in a child and in a test counts once. The subject, the proxy and a restarted database
// start from bundles the lab compiles; under coverage those carry source maps and stay in the
// scratch folder until the report has read them (bundleFolder in server/launch.ts).
//
// Arguments go to Vitest (e.g. `npm run coverage -- tests/integration/lab`). Exits with Vitest's code.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoverageReport } from 'monocart-coverage-reports';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'coverage');
const SOURCES = ['server', 'src', 'common'];
// Outside coverage/: Vitest empties its reports folder when it starts, and Monocart its output folder.
const SCRATCH = mkdtempSync(path.join(os.tmpdir(), 'lab-coverage-'));

const args = process.argv.slice(2);
const vitest = spawn(
  process.execPath,
  [
    path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--coverage.enabled',
    '--coverage.reportOnFailure',
    // Coverage measures which code runs, not how fast: V8's counters and a busy machine make
    // the lab's restarts and type checks slower than the usual limits allow.
    '--testTimeout=180000',
    '--hookTimeout=240000',
    `--coverage.reportsDirectory=${path.join(SCRATCH, 'vitest')}`,
    ...(args.length ? args : ['tests/unit', 'tests/integration']),
  ],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, LAB_COVERAGE_SCRATCH: SCRATCH } },
);
let stopped = false;
const forward = (signal) => {
  stopped = true;
  vitest.kill(signal);
};
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => vitest.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (stopped) {
  // Stopped by hand: no report from half a run.
  rmSync(SCRATCH, { recursive: true, force: true });
  process.exit(code || 1);
}

const ours = (file) =>
  SOURCES.some((dir) => file.startsWith(`${dir}/`)) && /\.[cm]?tsx?$/.test(file) && !file.endsWith('.d.ts');
const report = new CoverageReport({
  name: 'Event Loop Lab: tests and the processes they start',
  outputDir: OUT,
  baseDir: ROOT,
  inputDir: path.join(SCRATCH, 'in-process', 'raw'),
  reports: ['text-summary', 'html'],
  logging: 'error',
  // Children's own dependencies are not ours; the bundles map back to their sources. Not the
  // compiled database thread's: threadBoot.cjs runs it inside a wrapper it adds to the text, so
  // V8's offsets do not match the file (what it runs, the subject runs in its non-blocking mode).
  // Not npm start's ahead-of-time build (build/server, started by the CLI tests): it has no
  // source maps, so its files would count as files of their own.
  entryFilter: (entry) =>
    entry.url.startsWith('file:') &&
    !entry.url.includes('/node_modules/') &&
    !entry.url.includes('/build/server/') &&
    !entry.url.endsWith('/dbThread.cjs'),
  sourceFilter: ours,
  // Files no test reaches count too, as uncovered.
  all: {
    dir: SOURCES.map((dir) => path.join(ROOT, dir)),
    filter: (file) => ours(path.relative(ROOT, file).split(path.sep).join('/')),
  },
  cleanCache: true,
});
// A process killed while it was writing its coverage (stopChild's SIGKILL after its grace,
// a bundle's source map makes the file large) leaves a file cut short: left out, and said.
const childrenDir = path.join(SCRATCH, 'children');
const cutShort = readdirSync(childrenDir).filter((file) => {
  if (!file.endsWith('.json')) return false;
  try {
    JSON.parse(readFileSync(path.join(childrenDir, file), 'utf8'));
    return false;
  } catch {
    rmSync(path.join(childrenDir, file));
    return true;
  }
});
if (cutShort.length) console.log(`coverage: left out ${cutShort.length} child coverage file(s) cut short by a kill`);
await report.addFromDir(childrenDir);
await report.generate();
if (!process.env.LAB_COVERAGE_KEEP) rmSync(SCRATCH, { recursive: true, force: true });
console.log(`coverage: ${path.relative(process.cwd(), path.join(OUT, 'index.html'))}`);
process.exit(code);
