import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../common/trace';
import { studentColor, studentHue } from '../../../src/classroom/colors';
import { leaderboard } from '../../../src/classroom/leaderboard';
import { presenterAction } from '../../../src/classroom/presenterKeys';
import { foldRequest, type RequestLifecycle } from '../../../src/trace/lifecycle';

function request(rid: string, client: string | undefined, sent: number, done: number | undefined): TraceEvent[] {
  const events: TraceEvent[] = [{ type: 'client.sent', t: sent, rid, route: 'getUser', ...(client ? { client } : {}) }];
  if (done !== undefined) events.push({ type: 'client.done', t: done, rid, status: 200 });
  return events;
}

/** One lifecycle per rid, as the trace store builds them. */
function buildLifecycles(events: TraceEvent[]): RequestLifecycle[] {
  const byRid = new Map<string, Extract<TraceEvent, { rid: string }>[]>();
  for (const e of events) if ('rid' in e) byRid.set(e.rid, [...(byRid.get(e.rid) ?? []), e]);
  return [...byRid.values()].map(foldRequest);
}

describe('the longest-wait board', () => {
  it('ranks students by their longest finished request, ignoring untagged and unfinished ones', () => {
    const events = [
      ...request('m-1', 'Ada', 0, 120),
      ...request('m-2', 'Ada', 10, 900),
      ...request('m-3', 'Linus', 5, 400),
      ...request('m-4', undefined, 0, 5000),
      ...request('m-5', 'Grace', 0, undefined),
    ];
    expect(leaderboard(buildLifecycles(events))).toEqual([
      { nickname: 'Ada', longestMs: 890, requests: 2 },
      { nickname: 'Linus', longestMs: 395, requests: 1 },
    ]);
  });

  it('shows at most `limit` rows', () => {
    const events = Array.from({ length: 12 }, (_, i) => request(`m-${i}`, `s${i}`, 0, 100 + i)).flat();
    const rows = leaderboard(buildLifecycles(events), 5);
    expect(rows.map((r) => r.nickname)).toEqual(['s11', 's10', 's9', 's8', 's7']);
  });
});

describe('student colours', () => {
  it('are stable per nickname and differ between nicknames', () => {
    expect(studentColor('Ada')).toBe(studentColor('Ada'));
    const hues = new Set(['Ada', 'Grace', 'Linus', 'Barbara', 'Edsger', '李雷'].map(studentHue));
    expect(hues.size).toBe(6);
    for (const hue of hues) expect(hue).toBeGreaterThanOrEqual(0);
  });
});

describe('presenter keys', () => {
  const key = (k: string, extra: Partial<KeyboardEvent> = {}) =>
    presenterAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: null, ...extra });
  it('maps B, F, space and the arrows as the issue asks', () => {
    expect(key('b')).toBe('mode.toggle');
    expect(key('F')).toBe('run.fire');
    expect(key(' ')).toBe('playback.toggle');
    expect(key('ArrowLeft')).toBe('playback.back');
    expect(key('ArrowRight')).toBe('playback.forward');
  });
  it('ignores keys pressed with a modifier', () => {
    expect(key('f', { ctrlKey: true })).toBeUndefined();
    expect(key('x')).toBeUndefined();
  });
});
