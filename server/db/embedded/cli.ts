/**
 * `npm run db:embedded -- --port 27018 [--dbpath DIR] [limits]`: runs the embedded server in the
 * foreground and prints `ready on mongodb://127.0.0.1:PORT` once it accepts connections.
 */
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../process/children';
import { EMBEDDED_NAME, EMBEDDED_VERSION } from './commands/handshake';
import { openPersistence } from './persistence';
import { listen } from './server';

const USAGE = 'usage: db:embedded [--port N] [--dbpath DIR] [--max-connections N] [--frame-timeout-ms MS] [--max-buffered-mb MB]';

function fail(message: string): never {
  console.error(`embedded MongoDB: ${message}`);
  process.exit(1);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '27018' },
        dbpath: { type: 'string' },
        'max-connections': { type: 'string' },
        'frame-timeout-ms': { type: 'string' },
        'max-buffered-mb': { type: 'string' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
})();

/** A whole number flag within bounds, or undefined when not given. */
function bounded(name: string, min: number, max: number): number | undefined {
  const raw = values[name as keyof typeof values] as string | undefined;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}
const maxConnections = bounded('max-connections', 1, 1_000_000);
const frameTimeoutMs = bounded('frame-timeout-ms', 10, 3_600_000);
const maxBufferedMb = bounded('max-buffered-mb', 1, 16_384);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${values.port}"`);

const persistence = values.dbpath ? openPersistence(values.dbpath) : undefined;
// flush() is synchronous, so it also runs when exitWithParent() exits because the parent is gone.
process.on('exit', () => persistence?.flush());
exitWithParent();

const server = await listen({
  port,
  store: persistence?.store,
  maxConnections,
  frameTimeoutMs,
  maxTotalBufferedBytes: maxBufferedMb === undefined ? undefined : maxBufferedMb * 1024 * 1024,
}).catch((error: NodeJS.ErrnoException) =>
  fail(error.code === 'EADDRINUSE' ? `port ${port} is already in use` : error.message),
);
console.error(`${EMBEDDED_NAME} ${EMBEDDED_VERSION}${values.dbpath ? `, data in ${values.dbpath}` : ', in memory'}`);
console.log(`ready on mongodb://127.0.0.1:${server.port}`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
