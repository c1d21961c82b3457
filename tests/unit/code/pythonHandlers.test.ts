/** The editor's side of the Tornado subject's handlers: their files, routes, language and Python highlighting. */
import { python } from '@codemirror/lang-python';
import { describe, expect, it } from 'vitest';
import { handlerFileOf } from '../../../common/handlers';
import { routeAndModeOf } from '../../../src/code/applyAndRun';
import { languageOf } from '../../../src/code/editorExtensions';
import { handlerName } from '../../../src/code/handlerSource';
import { checkSummary } from '../../../src/code/HandlerEditor';

describe('Tornado handlers in the editor', () => {
  it('names a Python handler by its file, and a Node one by its stem plus .ts', () => {
    expect(handlerFileOf('get_user_nonblocking.py')).toBe('get_user_nonblocking.py');
    expect(handlerFileOf('getUser.nonblocking')).toBe('getUser.nonblocking.ts');
    expect(handlerFileOf(handlerName('listByCity', 'blocking', 'tornado'))).toBe('list_by_city_blocking.py');
  });

  it('runs a Python handler on its route and mode', () => {
    expect(routeAndModeOf('get_user_nonblocking.py')).toEqual({ route: 'getUser', mode: 'nonblocking' });
    expect(routeAndModeOf('list_by_city_blocking.py')).toEqual({ route: 'listByCity', mode: 'blocking' });
    expect(routeAndModeOf('get_user_callback.py')).toEqual({ route: 'getUserCallback', mode: 'nonblocking' });
    expect(routeAndModeOf('long_poll_nonblocking.py')).toEqual({ route: 'longPoll', mode: 'nonblocking' });
    expect(routeAndModeOf('createUser.blocking')).toEqual({ route: 'createUser', mode: 'blocking' });
    for (const route of ['getUser', 'listByCity', 'createUser', 'stats', 'longPoll'] as const) {
      for (const mode of ['blocking', 'nonblocking'] as const)
        expect(routeAndModeOf(handlerName(route, mode, 'tornado'))).toEqual({ route, mode });
    }
  });

  it('edits a .py file as Python, whose grammar parses the handler', () => {
    expect(languageOf('get_user_blocking.py')).toBe('python');
    expect(languageOf('getUser.blocking')).toBe('typescript');
    // The whole parse, at once (the editor's own tree is built lazily, within a time budget).
    const tree = python().language.parser.parse(
      'class GetUser(LabHandler):\n    async def get(self, username):\n        user = await self.users.find_one({})\n',
    );
    const names = new Set<string>();
    tree.iterate({ enter: (node) => void names.add(node.name) });
    expect(names).toContain('ClassDefinition');
    expect(names).toContain('AwaitExpression');
    expect(names).not.toContain('⚠');
  });

  it('says a Python check is for syntax only', () => {
    expect(checkSummary({ checked: true, problems: [] }, 'python')).toMatch(/No syntax errors.*syntax only/);
    const problem = {
      kind: 'syntax' as const,
      message: "SyntaxError: '(' was never closed",
      code: 0,
      line: 3,
      column: 5,
      endLine: 3,
      endColumn: 6,
    };
    expect(checkSummary({ checked: true, problems: [problem] }, 'python')).toMatch(/^1 syntax error: fix it/);
    expect(checkSummary({ checked: true, problems: [] })).toBe('No syntax or type errors.');
  });
});
