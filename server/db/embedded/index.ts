/**
 * Runs the embedded MongoDB-compatible server as a separate child process, the way the lab
 * uses it when no real mongod is available (issue 2, section 3).
 */
import { fileURLToPath } from 'node:url';
import { spawnNode, stopChild } from '../../process/children';
import { EMBEDDED_NAME, EMBEDDED_VERSION } from './commands/handshake';

export { EMBEDDED_NAME, EMBEDDED_VERSION };
export { listen, type RunningServer } from './server';

export interface EmbeddedServer {
  uri: string;
  port: number;
  version: string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const READY = /^ready on (mongodb:\/\/127\.0\.0\.1:(\d+))$/m;
const START_TIMEOUT_MS = 10_000;

/** Starts the server in a child process; resolves once it prints its ready line. */
export async function startEmbeddedServer(opts: { port?: number; dbpath?: string } = {}): Promise<EmbeddedServer> {
  const args = ['--port', String(opts.port ?? 0), ...(opts.dbpath ? ['--dbpath', opts.dbpath] : [])];
  const child = spawnNode(CLI, args, { stdio: 'pipe' });
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-2000);
    process.stderr.write(text.replace(/^(?=.)/gm, '[embedded-mongo] '));
  });

  return new Promise<EmbeddedServer>((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`embedded MongoDB server did not start: ${why}${stderrTail ? `\n${stderrTail.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`it exited (${signal ?? `code ${code}`}) before it was ready`);
    child.once('exit', onExit);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      stdout += text;
      const ready = READY.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({ uri: ready[1]!, port: Number(ready[2]), version: EMBEDDED_VERSION, stop: () => stopChild(child) });
    });
  });
}
