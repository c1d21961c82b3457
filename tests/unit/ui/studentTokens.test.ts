/**
 * Classroom mode on the projector: a request a student sent carries their nickname
 * (client.sent's `client`), and its token in the loop view takes their colour and the
 * start of their nickname as its label, so whose request is where is readable, not only
 * visible as a colour.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { studentColor } from '../../../src/classroom/colors';
import { snapshotAt } from '../../../src/trace/snapshot';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';
import { TOKEN_COLORS, tokenColor, tokenLabel } from '../../../src/viz/components/drawTokens';
import { layoutTokens, loopGeometry } from '../../../src/viz/layout/loopLayout';

const students = ['alice', 'bob', 'chloé', 'dmitri', '山田太郎'];

function classroomRun() {
  let next = 0;
  const events = synthesizeRun(
    { ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 200 },
    { requests: 5, concurrency: 5 },
  ).map((event) => (event.type === 'client.sent' ? { ...event, client: students[next++ % students.length] } : event));
  return new TraceStore().ingest('room', events);
}

describe('student tokens in the loop view', () => {
  it("carries each request's nickname from the trace to its token", () => {
    const run = classroomRun();
    const layout = layoutTokens(snapshotAt(run.lifecycles, run.startT + 100, run.samples), loopGeometry(640, 360));
    expect(layout.tokens).toHaveLength(5);
    expect(layout.tokens.map((t) => t.client).sort()).toEqual([...students].sort());
  });

  it("labels a student's token with the start of the nickname, and an anonymous one with its number", () => {
    expect(tokenLabel({ rid: 'r-12', client: 'alice' })).toBe('ali');
    expect(tokenLabel({ rid: 'r-12', client: '山田太郎' })).toBe('山田太');
    expect(tokenLabel({ rid: 'r-12', client: '  bo ' })).toBe('bo');
    expect(tokenLabel({ rid: 'r-12' })).toBe('12');
  });

  it("colours a student's token with the student's colour; holding the loop still shows as holding", () => {
    expect(tokenColor({ phase: 'database', holdsLoop: false, client: 'alice' })).toBe(studentColor('alice'));
    expect(tokenColor({ phase: 'database', holdsLoop: false })).toBe(TOKEN_COLORS.database);
    expect(tokenColor({ phase: 'running', holdsLoop: true, client: 'alice' })).not.toBe(studentColor('alice'));
  });
});
