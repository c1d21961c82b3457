/** autocannon in its own process, so its loop never competes with the lab's or the subject's. */
import { createRequire } from 'node:module';
import { spawnNode } from '../server/process/children';

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface AutocannonResult {
  /** Mean requests per second over the run. */
  requestsPerSec: number;
  /** Requests completed in all. */
  requests: number;
  non2xx: number;
  errors: number;
}

export function autocannon(
  url: string,
  options: { connections: number; seconds: number; rate?: number },
): Promise<AutocannonResult> {
  const { connections, seconds, rate } = options;
  const args = ['--json', '-c', String(connections), '-d', String(seconds), ...(rate ? ['-R', String(rate)] : []), url];
  const child = spawnNode(autocannonCli, args);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.resume();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const result = JSON.parse(out) as {
          requests: { average: number; total: number };
          non2xx: number;
          errors: number;
        };
        resolve({
          requestsPerSec: result.requests.average,
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
        });
      } catch {
        reject(new Error(`autocannon exited ${code} without a JSON result`));
      }
    });
  });
}
