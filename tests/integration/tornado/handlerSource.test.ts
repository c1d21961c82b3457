/**
 * The Tornado subject's handler files are lesson material too: a lesson and the Code view
 * find each step by its `self.step('...')` line, so every file has each marker exactly
 * once, in the documented order, and every route and mode names a file that exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LONG_POLL_ROUTE, MODES, ROUTES } from '../../../common/config';
import { STEP_NAMES } from '../../../common/steps';
import { handlerName } from '../../../src/code/handlerSource';
import { findMarkers } from '../../../src/code/markers';

const HANDLERS_DIR = new URL('../../../server/subject-tornado/handlers/', import.meta.url);
const files = readdirSync(HANDLERS_DIR).filter((file) => /_(blocking|nonblocking|callback)\.py$/.test(file));

describe('Tornado handler step markers', () => {
  it('has eleven handler files, one per route and style', () => {
    expect(files.sort()).toEqual(
      ['create_user', 'list_by_city', 'stats', 'get_user', 'long_poll']
        .flatMap((route) => [`${route}_blocking.py`, `${route}_nonblocking.py`])
        .concat('get_user_callback.py')
        .sort(),
    );
  });

  it.each(files)('%s has each step exactly once, in the documented order', (file) => {
    const source = readFileSync(new URL(file, HANDLERS_DIR), 'utf8');
    const found = findMarkers(source, 'call').map((marker) => marker.name);
    expect(found).toEqual(STEP_NAMES.filter((step) => step !== 'callback' || file.endsWith('_callback.py')));
    // A step() call anywhere else (not on its own line) would be a marker a lesson cannot find.
    expect(source.match(/\bstep\(/g)?.length).toBe(found.length);
  });

  it('names an existing file for every route in every mode', () => {
    for (const route of [...ROUTES, LONG_POLL_ROUTE])
      for (const mode of MODES) expect(files).toContain(handlerName(route, mode, 'tornado'));
  });

  it('differs between the blocking and non-blocking get_user only where the lesson wants it to', () => {
    const code = (file: string) => readFileSync(new URL(file, HANDLERS_DIR), 'utf8').split('"""')[2]!.split('\n');
    const blocking = code('get_user_blocking.py');
    const changed = code('get_user_nonblocking.py').filter((line) => !blocking.includes(line));
    expect(changed).toEqual([
      '    async def get(self, username):',
      "        user = await self.users.find_one({'username': username})",
    ]);
  });
});
