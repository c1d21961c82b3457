import { describe, expect, it } from 'vitest';
import { openFileLimit, openFileProblem } from '../../../server/lab/openFiles';

const limits = (soft: string, hard: string) =>
  `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                 ${hard}                 files     \n`;

describe('the open-file limit for long-poll runs', () => {
  it('reads the soft and hard limit from /proc/self/limits text', () => {
    expect(openFileLimit(limits('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
    expect(openFileLimit(limits('unlimited', 'unlimited'))).toEqual({ soft: Infinity, hard: Infinity });
    expect(openFileLimit('nothing here')).toBeUndefined();
  });

  it('accepts a run the limit can hold', () => {
    expect(openFileProblem(10_000, { soft: 20_000, hard: 20_000 })).toBeUndefined();
  });

  it('names the limit and the exact ulimit command when the soft limit is too low', () => {
    const problem = openFileProblem(10_000, { soft: 1024, hard: 524_288 });
    expect(problem).toContain('the open-file limit is 1024');
    expect(problem).toContain('`ulimit -n 20000`');
  });

  it('says the hard limit must be raised first when it is too low too', () => {
    expect(openFileProblem(10_000, { soft: 4096, hard: 4096 })).toMatch(/hard limit is 4096.*ulimit -n 20000/);
  });
});
