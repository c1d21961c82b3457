import { describe, expect, it } from 'vitest';
import { showPython } from '../../../src/lessons/showPython';

const source = [
  'import asyncmongo',
  'db = Client(port=27017,  # step: fix',
  '           dbname="lab")',
  '',
  'class UserHandler(object):',
  '    # step: handler',
  '    def get(self):',
  '        pass',
].join('\n');

describe('Python shown in a lesson', () => {
  it('leaves out the # step: authoring comments and keeps the marked lines on the same code', () => {
    const { code, marked } = showPython(source, ['fix', 'handler']);
    expect(code).not.toContain('# step:');
    const lines = code.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe('db = Client(port=27017,');
    expect([...marked].sort((a, b) => a - b).map((n) => lines[n - 1])).toEqual([
      'db = Client(port=27017,',
      '    def get(self):',
      '        pass',
    ]);
  });

  it('marks nothing it was not asked to, and leaves other comments alone', () => {
    const { code, marked } = showPython('x = 1  # a real comment\n# step: a\ny = 2', []);
    expect(code).toBe('x = 1  # a real comment\ny = 2');
    expect(marked.size).toBe(0);
  });
});
