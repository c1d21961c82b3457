/**
 * Tests that need the Tornado runtime: they run when a Python with Tornado, pymongo and a
 * non-blocking driver is found, skip with a loud message when it is not, and fail under
 * CI=true (CI installs python3-tornado, python3-pymongo and python3-motor).
 */
import type { TornadoRuntimeInfo } from '../../../common/api';
import { tornadoRuntime } from '../../../server/subject-tornado/python';

export const tornado: TornadoRuntimeInfo = await tornadoRuntime();

if (!tornado.available) {
  const message = `Tornado runtime not found, Tornado subject tests SKIPPED: ${tornado.reason}. Install: ${tornado.install}`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
}

export const noTornado = !tornado.available;
