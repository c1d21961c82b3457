import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { errorMessage } from '../../../src/api/client';
import { handlerName, handlerNames, loadHandlerSource, stepLines } from '../../../src/code/handlerSource';
import { parseRoute } from '../../../src/routing';
import { foldRequest } from '../../../src/trace/lifecycle';
import { snapshotAt } from '../../../src/trace/snapshot';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';
import { detailKey, LIVE_TIMELINE_SHARE, liveStepDelay, MAX_LIVE_STEP_SPACING_MS } from '../../../src/viz/detailKey';
import {
  DOOR_DOT_LIMIT,
  doorCapacity,
  layoutTokens,
  loopGeometry,
  parkLongPolls,
} from '../../../src/viz/layout/loopLayout';
import { synthesizeLongPoll } from '../../../src/viz/syntheticLongPoll';
import { histogramLayout, sparkLayout } from '../../../src/viz/layout/plotLayout';
import {
  formatMs,
  MAX_REQUEST_LANES,
  panDomain,
  timelineLayout,
  zoomDomain,
} from '../../../src/viz/layout/timelineLayout';
import { shortcutFor, SHORTCUTS } from '../../../src/viz/shortcuts';

describe('loop layout', () => {
  const g = loopGeometry(1000, 500);

  it('puts the door left of the thread and the database right of it', () => {
    expect(g.door.x).toBeLessThan(g.thread.cx - g.thread.r);
    expect(g.database.x).toBeGreaterThan(g.thread.cx + g.thread.r);
    expect(loopGeometry(390, 260).compact).toBe(true);
    // A short stage (a lesson's) keeps the thread's caption inside the picture.
    for (const [w, h] of [
      [700, 200],
      [1000, 500],
      [390, 260],
    ] as const) {
      const short = loopGeometry(w, h);
      expect(short.thread.cy + short.thread.r + 52).toBeLessThanOrEqual(h - 8);
    }
  });

  it('queues blocked requests at the door and keeps the holder on the thread', () => {
    const run = new TraceStore().replace(
      'b',
      synthesizeRun({ ...DEFAULT_CONFIG, mode: 'blocking', dbLatencyMs: 200 }, { requests: 5, concurrency: 5 }),
    );
    const snap = snapshotAt(run.lifecycles, run.startT + 100, run.samples);
    const layout = layoutTokens(snap, g);
    const holder = layout.tokens.find((t) => t.holdsLoop)!;
    expect(holder.x).toBeCloseTo(g.thread.cx);
    const queued = layout.tokens.filter((t) => t.phase === 'queued');
    expect(queued).toHaveLength(4);
    expect(queued.every((t) => t.x <= g.door.x && t.shape === 'ring')).toBe(true);
  });

  it('moves database tokens out and back along the wire as the round trip progresses', () => {
    const run = new TraceStore().replace(
      'n',
      synthesizeRun({ ...DEFAULT_CONFIG, dbLatencyMs: 200 }, { requests: 1, concurrency: 1 }),
    );
    const sent = run.events.find((e) => e.type === 'db.sent')!.t;
    const at = (t: number) => layoutTokens(snapshotAt(run.lifecycles, t), g).tokens[0]!.x;
    expect(at(sent + 50)).toBeGreaterThan(g.wire.x1);
    expect(at(sent + 100)).toBeGreaterThan(at(sent + 50));
    expect(at(sent + 180)).toBeLessThan(at(sent + 100));
    // Reduced motion: a token sits still at the database while it waits.
    expect(layoutTokens(snapshotAt(run.lifecycles, sent + 50), g, true).tokens[0]!.x).toBe(
      layoutTokens(snapshotAt(run.lifecycles, sent + 150), g, true).tokens[0]!.x,
    );
  });

  it('draws a queue longer than the door holds as dots, every one of them', () => {
    const run = new TraceStore().replace(
      'b',
      synthesizeRun({ ...DEFAULT_CONFIG, mode: 'blocking' }, { requests: 2000, concurrency: 2000 }),
    );
    const snap = snapshotAt(run.lifecycles, run.startT + 150);
    const layout = layoutTokens(snap, g);
    expect(snap.queued.length).toBeGreaterThan(doorCapacity(g));
    expect(snap.queued.length).toBeLessThanOrEqual(DOOR_DOT_LIMIT);
    expect(layout.crowd).toMatchObject({ total: snap.queued.length, drawn: snap.queued.length, parked: 0 });
    expect(layout.crowd?.band).toBeUndefined();
    expect(layout.hiddenQueued).toBe(0);
    const dots = layout.tokens.filter((t) => t.dot);
    expect(dots).toHaveLength(snap.queued.length);
    // Inside the door's area, left of the thread.
    for (const dot of dots) expect(dot.x).toBeLessThan(g.thread.cx - g.thread.r);
  });

  it('parks 10,000 long-polls at the door: dots up to the limit, a band with the exact count beyond', () => {
    const { events, allWaitingAt } = synthesizeLongPoll({ waiters: 10_000 });
    const run = new TraceStore().replace('c10k', events);
    const raw = snapshotAt(run.lifecycles, allWaitingAt);
    expect(raw.onThread).toHaveLength(10_000);
    const snap = parkLongPolls(raw);
    expect(snap.parked).toBe(10_000);
    expect(snap.queued).toHaveLength(10_000);
    expect(snap.onThread).toHaveLength(0);
    const layout = layoutTokens(snap, g, false, snap.parked);
    expect(layout.crowd).toMatchObject({ total: 10_000, parked: 10_000, drawn: DOOR_DOT_LIMIT });
    expect(layout.crowd?.band?.count).toBe(10_000 - DOOR_DOT_LIMIT);
    expect(layout.tokens.filter((t) => t.dot && t.parked && t.phase === 'queued')).toHaveLength(DOOR_DOT_LIMIT);
    // The band sits left of the dots, inside the picture.
    const band = layout.crowd!.band!;
    expect(band.x + band.width).toBeLessThanOrEqual(layout.crowd!.area.x);
    expect(band.x).toBeGreaterThanOrEqual(0);
    // A request not parked (the publish, once sent) stays where it is.
    expect(parkLongPolls(snapshotAt(run.lifecycles, run.startT)).parked).toBe(0);
  });
});

describe('timeline layout', () => {
  const lives = [5, 1, 3].map((t) => foldRequest([{ type: 'client.sent', t, rid: `r${t}`, route: 'getUser' }]));

  it('orders lanes by send time on a shared axis', () => {
    const layout = timelineLayout(lives, { start: 0, end: 10 }, 1000, 1, 600);
    expect(layout.lanes.map((l) => l.rid)).toEqual(['r1', 'r3', 'r5']);
    expect(layout.x(0)).toBe(120);
    expect(layout.x(10)).toBe(990);
  });

  it('draws at most MAX_REQUEST_LANES lanes and counts the rest', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      foldRequest([{ type: 'client.sent', t: i, rid: `r${i}`, route: 'getUser' }]),
    );
    const layout = timelineLayout(many, { start: 0, end: 400 }, 800, 1, 600);
    expect(layout.lanes).toHaveLength(MAX_REQUEST_LANES);
    expect(layout.hiddenLanes).toBe(400 - MAX_REQUEST_LANES);
  });

  it("picks the window's first lanes by send time, ties in run order, from requests in any order", () => {
    // Send times out of order with many ties, some finished before the window opens.
    const mixed = Array.from({ length: 1200 }, (_, i) =>
      foldRequest([
        { type: 'client.sent', t: (i * 7919) % 300, rid: `r${i}`, route: 'getUser' },
        ...(i % 5 === 0
          ? [{ type: 'client.done' as const, t: ((i * 7919) % 300) + 1, rid: `r${i}`, status: 200 }]
          : []),
      ]),
    );
    const window = { start: 100, end: 250 };
    const inWindow = mixed.filter((l) => l.sentAt <= window.end && (l.doneAt ?? Infinity) >= window.start);
    const expected = [...inWindow].sort((a, b) => a.sentAt - b.sentAt).slice(0, MAX_REQUEST_LANES);
    const layout = timelineLayout(mixed, window, 800, 1, 600);
    expect(layout.lanes.map((l) => l.rid)).toEqual(expected.map((l) => l.rid));
    expect(layout.hiddenLanes).toBe(inWindow.length - MAX_REQUEST_LANES);
  });

  it('zooms around the focus and pans without leaving the run', () => {
    const full = { start: 0, end: 1000 };
    const zoomed = zoomDomain(full, 0.5, 500, full);
    expect(zoomed).toEqual({ start: 250, end: 750 });
    expect(panDomain(zoomed, 1, full)).toEqual({ start: 500, end: 1000 });
    expect(panDomain(zoomed, -2, full)).toEqual({ start: 0, end: 500 });
    expect(zoomDomain(zoomed, 4, 500, full)).toEqual(full);
  });

  it('formats durations as people read them', () => {
    expect(formatMs(3.25)).toBe('3.3 ms');
    expect(formatMs(200)).toBe('200 ms');
    expect(formatMs(1250)).toBe('1.25 s');
  });
});

describe('plots', () => {
  it('draws a sparkline across the domain with the cursor in place', () => {
    const spark = sparkLayout(
      [
        { t: 0, value: 0 },
        { t: 50, value: 10 },
        { t: 100, value: 5 },
      ],
      200,
      40,
      [0, 100],
      50,
    );
    expect(spark.line.startsWith('M0,')).toBe(true);
    expect(spark.maxValue).toBe(10);
    expect(spark.cursorX).toBe(100);
  });

  it('lays out histogram bars with the tallest bar full height', () => {
    const { bars } = histogramLayout(
      [
        { x0: 0, x1: 10, count: 2 },
        { x0: 10, x1: 20, count: 4 },
      ],
      100,
      50,
    );
    expect(bars[1]!.height).toBe(50);
    expect(bars[0]!.height).toBe(25);
  });
});

describe('handler source', () => {
  it('finds each step marker line in a handler', () => {
    const lines = stepLines("x\n  step('parse');\ny\n  step('query');\n  // step: respond\n  step('parse');\n");
    // The abandoned `// step:` comment form is not a marker; the first marker of a name wins.
    expect(Object.fromEntries(lines)).toEqual({ parse: 2, query: 4 });
  });

  it('imports the real handler files, not copies', async () => {
    expect(handlerName('getUser', 'blocking')).toBe('getUser.blocking');
    expect(handlerName('getUserCallback', 'nonblocking')).toBe('getUser.callback');
    expect(handlerNames()).toContain('getUser.nonblocking');
    const source = await loadHandlerSource('getUser.blocking');
    expect(source).toBe(readFileSync('server/subject/handlers/getUser.blocking.ts', 'utf8'));
    expect(stepLines(source!).has('query')).toBe(true);
  });
});

describe('small pure helpers', () => {
  it('routes the lab and the lessons', () => {
    expect(parseRoute('/')).toEqual({ name: 'lab' });
    expect(parseRoute('/lessons/')).toEqual({ name: 'lessons', path: '/lessons' });
    expect(parseRoute('/lessons/blocking/2')).toEqual({ name: 'lessons', path: '/lessons/blocking/2' });
    expect(parseRoute('/elsewhere').name).toBe('not-found');
  });

  it('maps keys to shortcuts, but not while typing or with modifiers', () => {
    const key = (k: string, mods = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(shortcutFor(key('b'), false)).toBe('mode.blocking');
    expect(shortcutFor(key('ArrowRight'), false)).toBe('playback.forward');
    expect(shortcutFor(key('b'), true)).toBeUndefined();
    expect(shortcutFor(key('b', { ctrlKey: true }), false)).toBeUndefined();
    const keys = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refreshes live detail views in trace-time steps, and replays on every change', () => {
    expect(detailKey(7, true, 1000, false)).toBe(detailKey(8, true, 1100, false));
    expect(detailKey(7, true, 1000, false)).not.toBe(detailKey(8, true, 1600, false));
    expect(detailKey(7, true, 1000, false)).not.toBe(detailKey(7, true, 1000, true));
    expect(detailKey(7, false, 1000, false)).not.toBe(detailKey(8, false, 1000, false));
  });

  it('spaces live timeline steps so that they take at most a tenth of the time', () => {
    // A cheap step: the next one as soon as the trace moves on.
    expect(liveStepDelay(0, 0)).toBe(0);
    expect(liveStepDelay(20, 500)).toBe(0);
    // A 120 ms step: 1,080 ms between the end of one and the start of the next, less what has passed.
    expect(liveStepDelay(120, 0)).toBeCloseTo(1080);
    expect(liveStepDelay(120, 400)).toBeCloseTo(680);
    expect(liveStepDelay(120, 2000)).toBe(0);
    // Over a long run of equal steps, the share they take is the limit.
    const cost = 150;
    const share = cost / (cost + liveStepDelay(cost, 0));
    expect(share).toBeCloseTo(LIVE_TIMELINE_SHARE);
    // A step measured as very slow (a tab that was in the background) holds the next one back 2 s at most.
    expect(liveStepDelay(60_000, 0)).toBe(MAX_LIVE_STEP_SPACING_MS);
  });

  it("reads the server's error message from a 4xx body", () => {
    expect(errorMessage('{"message":"mode must be one of: blocking, nonblocking"}', 400)).toBe(
      'mode must be one of: blocking, nonblocking',
    );
    expect(errorMessage('{"error":"nope"}', 404)).toBe('nope');
    expect(errorMessage('', 502)).toBe('HTTP 502');
  });
});
