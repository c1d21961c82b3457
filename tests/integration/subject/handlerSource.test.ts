/**
 * The handler files are lesson material: a lesson highlights the line of each
 * `step('...')` marker, so every marker must appear exactly once, in the documented order.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HANDLER_FILES } from '../../../server/subject/handlers/index';
import { STEP_NAMES } from '../../../common/steps';
import { findMarkers } from '../../../src/code/markers';

const HANDLERS_DIR = new URL('../../../server/subject/handlers/', import.meta.url);
const files = Object.values(HANDLER_FILES).flatMap((styles) => Object.values(styles) as string[]);

describe('handler step markers', () => {
  it('lists all eleven handler files', () => {
    expect(files).toHaveLength(11);
  });

  it.each(files)('%s has each step exactly once, in the documented order', (file) => {
    const source = readFileSync(new URL(file, HANDLERS_DIR), 'utf8');
    const found = findMarkers(source, 'call').map((marker) => marker.name);
    const expected = STEP_NAMES.filter((step) => step !== 'callback' || file.includes('.callback.'));
    expect(found).toEqual(expected);
    // A step() call anywhere else (not on its own line) would be a marker a lesson cannot find.
    expect(source.match(/\bstep\(/g)?.length).toBe(found.length);
  });

  it('differs between the blocking and non-blocking getUser only where the lesson wants it to', () => {
    const lines = (file: string) =>
      readFileSync(new URL(file, HANDLERS_DIR), 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith(' *') && !line.startsWith('/**'));
    const blocking = lines('getUser.blocking.ts');
    const nonblocking = lines('getUser.nonblocking.ts');
    const changed = nonblocking.filter((line) => !blocking.includes(line));
    expect(changed).toEqual([
      "import type { NonblockingContext } from './context';",
      'export async function getUser({ req, res, params, step, cpu, users }: NonblockingContext): Promise<void> {',
      '  const user = await users.findOne({ username });',
    ]);
  });
});
