// `npm run lint`: ESLint and Prettier's check side by side. Each is one single-threaded
// process, so on two cores the check no longer waits for ESLint (or for the type check that
// `npm test` runs beside them). Each one's output is printed whole when it ends; the exit
// code is non-zero if either found something.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './runChild.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const CHECKS = [
  { name: 'eslint', cmd: bin('eslint'), args: ['.'] },
  { name: 'prettier', cmd: bin('prettier'), args: ['--check', '--log-level', 'warn', '.'] },
];

async function run(check) {
  const { code, output } = await runChild({ ...check, cwd: ROOT });
  process.stdout.write(output);
  if (code !== 0) console.error(`lint: ${check.name} failed (exit ${code})`);
  return code;
}

const codes = await Promise.all(CHECKS.map(run));
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
