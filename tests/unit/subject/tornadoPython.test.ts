/** Finding Python for the Tornado subject: the order it looks in, and what it says when nothing fits. */
import { describe, expect, it } from 'vitest';
import {
  describeTornado,
  detectTornado,
  pythonCandidates,
  TORNADO_INSTALL,
} from '../../../server/subject-tornado/python';

describe('finding Python for the Tornado subject', () => {
  it('tries LAB_PYTHON (set by --python) first, then python3 on PATH, then /usr/bin/python3', () => {
    expect(pythonCandidates({ LAB_PYTHON: '/opt/py/bin/python' })).toEqual([
      '/opt/py/bin/python',
      'python3',
      '/usr/bin/python3',
    ]);
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
  });

  it('reports every candidate that failed, and the install command, when none fits', async () => {
    const info = await detectTornado(['/nonexistent/python3', process.execPath]);
    expect(info.available).toBe(false);
    if (info.available) return;
    expect(info.reason).toContain('/nonexistent/python3');
    expect(info.reason).toContain(process.execPath);
    expect(info.install).toBe(TORNADO_INSTALL);
    expect(describeTornado(info)).toMatch(
      /^Tornado runtime unavailable .*sudo apt-get install python3-tornado python3-pymongo python3-motor/,
    );
  });
});
