/**
 * `npm run db:embedded -- --port 27018 [--dbpath DIR] [limits] [--seed-lab] [--enable-test-commands]`: runs the embedded
 * server in the foreground and prints `ready on mongodb://127.0.0.1:PORT` once it accepts
 * connections. --seed-lab then adds the lab's users (seedLab.ts) and prints
 * `seeded {"created":true,"count":10000,"ms":250}` (or `seed failed: why`).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { exitWithParent } from '../../process/children';
import { EMBEDDED_NAME, EMBEDDED_VERSION } from './commands/handshake';
import { openPersistence } from './persistence';
import { seedLabUsers } from './seedLab';
import { listen } from './server';

const USAGE =
  'usage: db:embedded [--port N] [--dbpath DIR] [--max-connections N] [--frame-timeout-ms MS] [--max-buffered-mb MB] [--seed-lab] [--enable-test-commands]';

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
        'seed-lab': { type: 'boolean', default: false },
        'enable-test-commands': { type: 'boolean', default: false },
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
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}
const maxConnections = bounded('max-connections', 1, 1_000_000);
const frameTimeoutMs = bounded('frame-timeout-ms', 10, 3_600_000);
const maxBufferedMb = bounded('max-buffered-mb', 1, 16_384);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a whole number from 0 to 65535, got "${values.port}"`);

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
  testCommands: values['enable-test-commands'],
}).catch((error: NodeJS.ErrnoException) =>
  fail(error.code === 'EADDRINUSE' ? `port ${port} is already in use` : error.message),
);
console.error(
  `${EMBEDDED_NAME} ${EMBEDDED_VERSION}${values.dbpath ? `, data in ${values.dbpath}` : ', in memory'}${values['enable-test-commands'] ? ', test commands (configureFailPoint) enabled' : ''}`,
);
console.log(`ready on mongodb://127.0.0.1:${server.port}`);
if (values['seed-lab']) {
  // Just after the ready line and in the same turn: the lab starts its other processes while
  // this runs, and no request is read before every user is in (the event loop is busy here).
  const started = performance.now();
  try {
    const seed = seedLabUsers(server.store);
    console.log(`seeded ${JSON.stringify({ ...seed, ms: Math.round(performance.now() - started) })}`);
  } catch (error) {
    console.log(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
