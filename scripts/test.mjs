// `npm test`: every suite runs, even after an earlier one failed, so a failing unit test
// never hides what the browser tests say. Fast suites first, then the timing-sensitive ones
// (serially, on their own), then the browser. One summary line per suite at the end, and a
// non-zero exit if any failed.
//
// `npm test -- --only unit,e2e` runs a subset (names below).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const SUITES = [
  { name: 'typecheck', cmd: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'lint', cmd: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'unit', cmd: 'npm', args: ['run', '--silent', 'test:unit'] },
  { name: 'timing', cmd: 'npm', args: ['run', '--silent', 'test:timing'] },
  { name: 'e2e', cmd: 'npm', args: ['run', '--silent', 'test:e2e'] },
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

/** Runs one suite with inherited output; resolves with its exit code (signals count as failures). */
function run(suite) {
  return new Promise((resolve) => {
    const child = spawn(suite.cmd, suite.args, { stdio: 'inherit', shell: process.platform === 'win32' });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.on('error', (error) => {
      console.error(`npm test: could not start ${suite.name}: ${error.message}`);
      resolve(1);
    });
  });
}

const results = [];
for (const suite of chosen) {
  const started = Date.now();
  console.log(`\n=== npm test: ${suite.name} ===`);
  const code = await run(suite);
  results.push({ name: suite.name, code, seconds: (Date.now() - started) / 1000 });
}

// Playwright's list reporter marks a test that passed only on its retry as flaky; say so here too.
const flaky = existsSync('test-results/.flaky') ? readFileSync('test-results/.flaky', 'utf8').trim() : '';

console.log('\n=== npm test: summary ===');
for (const r of results)
  console.log(
    `${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.name.padEnd(10)} ${r.seconds.toFixed(0).padStart(5)} s${r.code === 0 ? '' : `  (exit ${r.code})`}`,
  );
if (flaky) console.log(`FLAKY (passed on retry):\n${flaky}`);
const failed = results.filter((r) => r.code !== 0).length;
console.log(`suites: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
