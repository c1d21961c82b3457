// `npm run lint`: ESLint and Prettier's check side by side. Each is one single-threaded
// process, so on two cores the check no longer waits for ESLint (or for the type check that
// `npm test` runs beside them). Each one's output is printed whole when it ends; the exit
// code is non-zero if either found something.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const CHECKS = [
  { name: 'eslint', cmd: bin('eslint'), args: ['.'] },
  { name: 'prettier', cmd: bin('prettier'), args: ['--check', '--log-level', 'warn', '.'] },
];

function run({ name, cmd, args }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    let ended = false;
    const done = (code) => {
      if (ended) return;
      ended = true;
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      process.stdout.write(Buffer.concat(output));
      if (code !== 0) console.error(`lint: ${name} failed (exit ${code})`);
      resolve(code);
    };
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      output.push(Buffer.from(`lint: could not start ${name}: ${error.message}\n`));
      done(1);
    });
  });
}

const codes = await Promise.all(CHECKS.map(run));
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
