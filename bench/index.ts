/**
 * `npm run bench`: every benchmark, side by side in one run, printed as one table.
 * Goals are checked here by ratios measured in the same run, never by timed unit tests.
 * `npm run bench -- embedded engine` runs only the named suites.
 */
import { type BenchRow, printTable } from './table';

const SUITES: Record<string, () => Promise<BenchRow[]>> = {
  embedded: async () => (await import('./embedded')).benchEmbedded(),
  engine: async () => (await import('./engine')).benchEngine(),
  c10k: async () => (await import('./c10k')).benchC10k(),
  tracing: async () => (await import('./tracing')).benchTracing(),
  toggle: async () => (await import('./toggle')).benchToggle(),
  edit: async () => (await import('./handlerEdit')).benchHandlerEdit(),
  ui: async () => (await import('./ui')).benchUi(),
  lighthouse: async () => (await import('./lighthouse')).benchLighthouse(),
  startup: async () => (await import('./startup')).benchStartup(),
  heavy: async () => (await import('./heavy')).benchHeavy(),
  dbrestart: async () => (await import('./dbRestart')).benchDbRestart(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(SUITES);
  let failed = false;
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) {
      console.error(`unknown suite "${name}"; choose from ${Object.keys(SUITES).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    console.log(`\n== ${name}`);
    try {
      const rows = await suite();
      printTable(name, rows);
      if (rows.some((r) => r.ok === false)) failed = true;
    } catch (error) {
      failed = true;
      console.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  // Goals not met are reported, not fatal: a benchmark is a measurement, not a test.
  if (failed) console.log('\nsome goals were not met or a suite failed: see the table above');
  process.exit(0);
}

await main();
