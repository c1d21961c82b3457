import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { TRACE_VERSION } from '../../../common/trace';
import { parseTraceFile } from '../../../server/lab/traceFile';

const start = JSON.stringify({
  type: 'run.started',
  t: 1,
  runId: 'old',
  version: TRACE_VERSION,
  config: DEFAULT_CONFIG,
  plan: { requests: 1, concurrency: 1 },
});
const sent = JSON.stringify({ type: 'client.sent', t: 2, rid: 'a', route: 'getUser' });
const done = JSON.stringify({ type: 'client.done', t: 3, rid: 'a', status: 200 });
const finish = JSON.stringify({ type: 'run.finished', t: 4, runId: 'old', status: 'done' });

describe('parseTraceFile', () => {
  it('accepts a recorded run and renames it', () => {
    const parsed = parseTraceFile([start, sent, done, finish, ''].join('\n'), 'new');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events).toHaveLength(4);
    expect(parsed.events[0]).toMatchObject({ type: 'run.started', runId: 'new' });
    expect(parsed.events[3]).toMatchObject({ type: 'run.finished', runId: 'new', status: 'done' });
  });

  it('names the line that is not JSON', () => {
    expect(parseTraceFile([start, sent, '{oops', done].join('\n'), 'n')).toEqual({
      ok: false,
      message: 'line 3: not valid JSON',
    });
  });

  it('names the line and field that break the schema', () => {
    const bad = JSON.stringify({ type: 'client.done', t: 3, rid: 'a', status: 'fine' });
    const parsed = parseTraceFile([start, sent, bad].join('\n'), 'n');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^line 3: status/);
  });

  it('refuses a file that does not start with run.started, or holds two runs', () => {
    expect(parseTraceFile([sent, done].join('\n'), 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 1: the first event must be run.started/),
    });
    expect(parseTraceFile([start, start].join('\n'), 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 2:/),
    });
    expect(parseTraceFile([start, finish, sent].join('\n'), 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 3: nothing may follow/),
    });
  });

  it('refuses times that would break durations: huge, or far from the run start', () => {
    const huge = JSON.stringify({ type: 'client.done', t: 1.79e308, rid: 'a', status: 200 });
    expect(parseTraceFile([start, sent, huge].join('\n'), 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 3: time 1\.79e\+308 is not within 24 h/),
    });
    const farSchedule = JSON.stringify({ type: 'client.sent', t: 2, rid: 'b', route: 'getUser', scheduledAt: 1e12 });
    expect(parseTraceFile([start, farSchedule].join('\n'), 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 2: time 1000000000000 is not within 24 h/),
    });
    const hugeStart = start.replace('"t":1,', '"t":1e300,');
    expect(parseTraceFile(hugeStart, 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 1: time 1e\+300/),
    });
  });

  it('refuses an out-of-bounds plan and an unknown trace version', () => {
    const badPlan = start.replace('"requests":1', '"requests":0');
    expect(parseTraceFile(badPlan, 'n')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^line 1: plan: requests/),
    });
    const v2 = start.replace(`"version":${TRACE_VERSION}`, '"version":99');
    expect(parseTraceFile(v2, 'n').ok).toBe(false);
  });

  it('reads a version-1 file (recorded before load.counts and run.published) as it is', () => {
    const v1 = start.replace(`"version":${TRACE_VERSION}`, '"version":1');
    const parsed = parseTraceFile([v1, sent, done, finish].join('\n'), 'n');
    expect(parsed.ok && parsed.events[0]).toMatchObject({ type: 'run.started', version: 1 });
    expect(parsed.ok && parsed.events).toHaveLength(4);
  });

  it('reads a version-2 file with the events version 2 added', () => {
    const v2 = start.replace(`"version":${TRACE_VERSION}`, '"version":2');
    const counts = JSON.stringify({ type: 'load.counts', t: 3, notSent: 2, untracedCompleted: 0, untracedErrors: 0 });
    const published = JSON.stringify({ type: 'run.published', t: 3, runId: 'old', via: 'subject', waiting: 1 });
    const parsed = parseTraceFile([v2, sent, counts, published, done, finish].join('\n'), 'n');
    expect(parsed.ok && parsed.events.map((event) => event.type)).toEqual([
      'run.started',
      'client.sent',
      'load.counts',
      'run.published',
      'client.done',
      'run.finished',
    ]);
  });

  it('refuses a version newer than its own, saying which it reads', () => {
    const newer = start.replace(`"version":${TRACE_VERSION}`, `"version":${TRACE_VERSION + 1}`);
    expect(parseTraceFile(newer, 'n')).toMatchObject({
      ok: false,
      message: `line 1: version: this lab reads trace versions 1 to ${TRACE_VERSION}`,
    });
  });

  it('closes a recording cut short as failed', () => {
    const parsed = parseTraceFile([start, sent].join('\n'), 'n');
    expect(parsed.ok && parsed.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  });

  it('refuses an empty file', () => {
    expect(parseTraceFile('\n\n', 'n')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
  });
});
