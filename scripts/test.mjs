// `npm test`: every suite runs, even after an earlier one failed, so a failing unit test
// never hides what the browser tests say. Fast suites first, then the timing-sensitive ones
// (serially, on their own), then the browser. One summary line per suite at the end, and a
// non-zero exit if any failed.
//
// Suites in one stage run side by side: the type check and the lint each keep one core busy
// for a minute and measure nothing, so they share the machine. The timing suite is a stage of
// its own: nothing else runs beside it.
//
// `npm test -- --only unit,e2e` runs a subset (names below).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { runChild } from './runChild.mjs';

const SUITES = [
  { name: 'typecheck', stage: 1, cmd: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'lint', stage: 1, cmd: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'unit', stage: 2, cmd: 'npm', args: ['run', '--silent', 'test:unit'] },
  { name: 'timing', stage: 3, cmd: 'npm', args: ['run', '--silent', 'test:timing'] },
  { name: 'e2e', stage: 4, cmd: 'npm', args: ['run', '--silent', 'test:e2e'] },
];

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1]?.split(',')) : null;
const chosen = SUITES.filter((suite) => !only || only.has(suite.name));
if (chosen.length === 0) {
  console.error(
    `npm test: no suite named ${[...(only ?? [])].join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

/** Runs one suite; its output is printed whole once it ends unless it runs alone (`live`). */
async function run(suite, live) {
  const { code, output } = await runChild({
    name: suite.name,
    cmd: suite.cmd,
    args: suite.args,
    live,
    env: live || !process.stdout.isTTY ? process.env : { FORCE_COLOR: '1', ...process.env },
  });
  if (!live) {
    console.log(`\n=== npm test: ${suite.name} (output) ===`);
    process.stdout.write(output);
  }
  return code;
}

// What the reporters write for the summary (tests/setup/failureReporter.ts, tests/e2e/flakyReporter.ts):
// a previous run's must not be read as this one's.
for (const name of ['.flaky', ...SUITES.map((suite) => `.failed-${suite.name}`)])
  rmSync(`test-results/${name}`, { force: true });
const noted = (name) => (existsSync(`test-results/${name}`) ? readFileSync(`test-results/${name}`, 'utf8').trim() : '');

const results = [];
for (const stage of [...new Set(chosen.map((suite) => suite.stage))]) {
  const together = chosen.filter((suite) => suite.stage === stage);
  console.log(`\n=== npm test: ${together.map((suite) => suite.name).join(' + ')} ===`);
  await Promise.all(
    together.map(async (suite) => {
      const started = Date.now();
      const code = await run(suite, together.length === 1);
      // Read as soon as the suite ends: the browser suite, a later stage, starts by emptying
      // test-results/ (Playwright's outputDir), which took the unit and timing suites' names with it.
      const failures = noted(`.failed-${suite.name}`);
      results.push({ suite, code, seconds: (Date.now() - started) / 1000, failures });
    }),
  );
}
results.sort((a, b) => SUITES.indexOf(a.suite) - SUITES.indexOf(b.suite));

// Playwright's list reporter marks a test that passed only on its retry as flaky; say so here too.
const flaky = noted('.flaky');

console.log('\n=== npm test: summary ===');
for (const r of results)
  console.log(
    `${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.suite.name.padEnd(10)} ${r.seconds.toFixed(0).padStart(5)} s${r.code === 0 ? '' : `  (exit ${r.code})`}`,
  );
if (flaky) console.log(`FLAKY (passed on retry):\n${flaky}`);
// A failed suite's tests by name, with the first line of each error, where a CI log's tail shows them.
// (The type check and the lint name their own problems; their output is printed whole above.)
for (const r of results.filter((r) => r.code !== 0 && ['unit', 'timing', 'e2e'].includes(r.suite.name))) {
  const failures = r.failures || "  none named (the suite ended before its reporter did): see the suite's output";
  console.log(`FAILED in ${r.suite.name}:\n${failures}`);
}
const failed = results.filter((r) => r.code !== 0).length;
console.log(`suites: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
