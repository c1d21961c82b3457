/**
 * The support table in this folder's README, generated from the code's own lists so it cannot
 * drift: `npx tsx server/db/embedded/support.ts --write` rewrites it, and a test checks it.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES } from './commands';
import { ACCUMULATOR_NAMES } from './pipeline/group';
import { SOURCE_STAGES, SUPPORTED_STAGES, UNSUPPORTED_STAGES } from './pipeline/stages';
import { QUERY_OPERATORS } from './query/filter';
import { OPERATORS } from './update/operators';

export const README = fileURLToPath(new URL('./README.md', import.meta.url));
export const START = '<!-- support-table:start -->';
export const END = '<!-- support-table:end -->';

const list = (names: string[]) =>
  [...new Set(names)]
    .sort()
    .map((n) => `\`${n}\``)
    .join(', ');

export function supportTable(): string {
  const rows: Array<[string, string, string]> = [
    [
      'Commands',
      list(COMMAND_NAMES.filter((n) => !['saslStart', 'saslContinue', 'authenticate'].includes(n))),
      'any other: CommandNotFound (59); `saslStart`, `saslContinue`, `authenticate`: AuthenticationFailed (18)',
    ],
    [
      'Query operators',
      list(QUERY_OPERATORS.supported),
      `${list(QUERY_OPERATORS.unsupported)}: CommandNotSupported (115); unknown: BadValue (2)`,
    ],
    ['Update operators', list([...Object.keys(OPERATORS), '$rename']), 'unknown: FailedToParse (9)'],
    [
      'Aggregation stages',
      list([...SUPPORTED_STAGES, ...SOURCE_STAGES, '$out', '$merge']),
      `${list(UNSUPPORTED_STAGES)}: CommandNotSupported (115); unknown: 40324`,
    ],
    ['Accumulators', list(ACCUMULATOR_NAMES), 'others: CommandNotSupported (115)'],
  ];
  return [
    START,
    '| kind | supported | refused with an error |',
    '| --- | --- | --- |',
    ...rows.map(([kind, yes, no]) => `| ${kind} | ${yes} | ${no} |`),
    END,
  ].join('\n');
}

/** The README with its table replaced by the current one. */
export function withCurrentTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README has no ${START} ... ${END} block`);
  return readme.slice(0, start) + supportTable() + readme.slice(end + END.length);
}

if (process.argv.includes('--write')) fs.writeFileSync(README, withCurrentTable(fs.readFileSync(README, 'utf8')));
