/**
 * The UI figures of two checkouts, measured alternately in one session (the machine is shared
 * and its load moves): `npx tsx bench/uiAb.ts <before-checkout> [after-checkout] [rounds]`.
 * Each checkout is built into a temporary folder, then measureUi runs on before, after, before,
 * after… with the load average printed above each table.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initialJsGzipBytes, measureUi } from './ui';
import { printTable } from './table';
import { buildDistToTemp } from './uiServer';

async function main() {
  const [beforeArg, afterArg, roundsArg] = process.argv.slice(2);
  if (!beforeArg) throw new Error('usage: tsx bench/uiAb.ts <before-checkout> [after-checkout] [rounds]');
  const rounds = Math.max(1, Math.min(5, Number(roundsArg ?? 2) || 2));
  const builds = [
    { name: 'before', build: await buildDistToTemp('lab-ui-ab-', path.resolve(beforeArg)) },
    { name: 'after', build: await buildDistToTemp('lab-ui-ab-', path.resolve(afterArg ?? '.')) },
  ];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const { name, build } of builds) {
        console.log(
          `\n${name}, round ${round}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
        );
        const rows = await measureUi(build.dir);
        printTable(`ui ${name}`, [
          { name: 'initial JS (gzip)', value: initialJsGzipBytes(build.dir) / 1024, unit: 'KB' },
          ...rows,
        ]);
      }
    }
  } finally {
    for (const { build } of builds) build.remove();
  }
}

main().catch((error) => (console.error(error), process.exit(1)));
