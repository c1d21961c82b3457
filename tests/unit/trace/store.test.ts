/**
 * The trace store's published view: batches go in at once, readers hear about them once per
 * publication (the page publishes once per animation frame), and a run's view is a new object
 * exactly when its events changed, so hooks can depend on it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { NO_TRACE, TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';

const events = (runId: string) => synthesizeRun(DEFAULT_CONFIG, { requests: 6, concurrency: 3, runId });

/** A store whose publications the test triggers, as the page's animation frames would. */
function manualStore(slice?: number) {
  const pending: Array<() => void> = [];
  const store = new TraceStore((publish) => pending.push(publish), slice);
  const frame = () => pending.splice(0).forEach((publish) => publish());
  let notified = 0;
  store.subscribe(() => (notified += 1));
  return { store, frame, scheduled: () => pending.length, notified: () => notified };
}

describe('trace store: one notification per frame, however many batches', () => {
  it('holds the data at once but tells its readers once, on the next frame', () => {
    const { store, frame, scheduled, notified } = manualStore();
    const all = events('a');
    for (let i = 0; i < all.length; i += 4) store.ingest('a', all.slice(i, i + 4));
    expect(store.run('a')!.lifecycles).toHaveLength(6);
    expect(scheduled()).toBe(1);
    expect(notified()).toBe(0);
    expect(store.view('a')).toBe(NO_TRACE);
    frame();
    expect(notified()).toBe(1);
    expect(store.view('a').trace).toBe(store.run('a'));
    expect(store.view('a').version).toBe(store.run('a')!.version);
    // Nothing new: the next frame publishes nothing and tells no one.
    frame();
    expect(notified()).toBe(1);
  });

  it('keeps a run view (and the store view) the same object until that run changes', () => {
    const { store, frame } = manualStore();
    store.ingest('a', events('a'));
    store.ingest('b', events('b'));
    frame();
    const a = store.view('a');
    const b = store.view('b');
    const all = store.getSnapshot();
    expect(store.getSnapshot()).toBe(all);
    store.ingest(
      'b',
      synthesizeRun(DEFAULT_CONFIG, { requests: 2, concurrency: 1, runId: 'b', t0: 1_800_000_000_000 }),
    );
    // Not published yet: readers still see the old, consistent view.
    expect(store.view('b')).toBe(b);
    expect(store.getSnapshot()).toBe(all);
    frame();
    expect(store.view('a')).toBe(a);
    expect(store.view('b')).not.toBe(b);
    expect(store.view('b').version).toBeGreaterThan(b.version as number);
    expect(store.getSnapshot()).not.toBe(all);
    expect([...store.getSnapshot().runs.keys()]).toEqual(['a', 'b']);
  });

  it('gives a replaced run a new view even at the same version, and drops a deleted one', () => {
    const { store, frame } = manualStore();
    store.ingest('a', events('a'));
    frame();
    const before = store.view('a');
    store.replace('a', events('a'));
    frame();
    expect(store.view('a').version).toBe(before.version);
    expect(store.view('a')).not.toBe(before);
    store.delete('a');
    frame();
    expect(store.view('a')).toBe(NO_TRACE);
  });

  it('publishes by itself without a scheduler given (a microtask where there are no frames)', async () => {
    const store = new TraceStore();
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.ingest('a', events('a'));
    store.ingest('a', []);
    await Promise.resolve();
    expect(notified).toBe(1);
    expect(store.view('a').trace).toBe(store.run('a'));
  });
});

describe('trace store: a burst is folded a slice per frame', () => {
  it('folds a burst over several frames, in order, with the batches behind it', () => {
    const { store, frame, notified } = manualStore(100);
    const all = synthesizeRun(DEFAULT_CONFIG, { requests: 60, concurrency: 60, runId: 'burst' });
    expect(all.length).toBeGreaterThan(250);
    const burst = all.slice(0, 250);
    const after = all.slice(250);
    const run = store.ingest('burst', burst);
    store.ingest('burst', after);
    expect(run.events).toHaveLength(100);
    expect(store.pending).toBe(all.length - 100);
    let frames = 0;
    while (store.pending > 0) {
      frame();
      frames += 1;
      expect(notified()).toBe(frames);
      expect(store.view('burst').version).toBe(run.version);
    }
    expect(frames).toBe(Math.ceil((all.length - 100) / 100));
    // The same run as one batch folded at once.
    const whole = new TraceStore(() => undefined, Infinity).ingest('burst', all);
    expect(run.events.map((e) => e.t)).toEqual(whole.events.map((e) => e.t));
    expect(run.lifecycles).toEqual(whole.lifecycles);
  });

  it('drops what is still waiting of a run that is replaced or deleted', () => {
    const { store, frame } = manualStore(100);
    const all = events('x');
    const big = synthesizeRun(DEFAULT_CONFIG, { requests: 60, concurrency: 60, runId: 'y' });
    store.ingest('y', big);
    store.ingest('x', all);
    expect(store.pending).toBe(big.length - 100 + all.length);
    store.replace('y', all);
    expect(store.pending).toBe(all.length);
    frame();
    expect(store.pending).toBe(0);
    expect(store.run('y')!.events).toHaveLength(all.length);
    store.ingest('y', big);
    store.delete('y');
    expect(store.pending).toBe(0);
    expect(store.run('y')).toBeUndefined();
  });
});
