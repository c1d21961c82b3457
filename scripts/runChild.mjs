// One child process as `npm test` (scripts/test.mjs) and `npm run lint` (scripts/lint.mjs) run
// their parts: resolves with its exit code (a signal counts as a failure) and its output. With
// `live` the output goes straight to ours; otherwise it is kept, for the caller to print whole
// once the child ends, so two children side by side never interleave their lines. Ctrl-C and
// SIGTERM reach the child.
import { spawn } from 'node:child_process';

export function runChild({ name, cmd, args, cwd, env = process.env, live = false }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    let ended = false;
    const done = (code) => {
      if (ended) return; // 'error' and 'close' can both come
      ended = true;
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, output: Buffer.concat(output) });
    };
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      output.push(Buffer.from(`could not start ${name}: ${error.message}\n`));
      done(1);
    });
  });
}
