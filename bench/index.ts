/**
 * `npm run bench`: every benchmark, side by side in one run, printed as one table.
 * Goals are checked here by ratios measured in the same run, never by timed unit tests.
 * `npm run bench -- embedded engine` runs only the named suites.
 */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  ok?: boolean;
}

const SUITES: Record<string, () => Promise<BenchRow[]>> = {
  embedded: async () => (await import('./embedded')).benchEmbedded(),
  engine: async () => (await import('./engine')).benchEngine(),
  ui: async () => (await import('./ui')).benchUi(),
};

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function printTable(suite: string, rows: BenchRow[]): void {
  const lines = rows.map((r) => [
    suite,
    r.name,
    `${format(r.value)} ${r.unit}`,
    r.goal ?? '',
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ]);
  const header = ['suite', 'measure', 'value', 'goal', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const l of lines) console.log(row(l));
}

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
