/**
 * The compare view's pairing: by mode (newest blocking beside newest non-blocking) or by
 * runtime (newest Node beside newest Tornado), each side labelled with the runtime and the
 * driver that served it.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import type { TraceEvent } from '../../../common/trace';
import { compareSides, lastRunsByRuntime, runtimeOf, servedBy } from '../../../src/trace/compare';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';
import { CompareView } from '../../../src/viz/components/CompareView';

const config = (patch: Partial<LabConfig>): LabConfig => ({ ...DEFAULT_CONFIG, ...patch });

/** A synthetic run, its run.started naming the driver as the lab's does. */
function run(store: TraceStore, runId: string, t0: number, patch: Partial<LabConfig>, driver?: string) {
  const events: TraceEvent[] = synthesizeRun(config({ dbLatencyMs: 100, ...patch }), {
    requests: 5,
    concurrency: 5,
    runId,
    t0,
  });
  const started = events[0]!;
  if (driver && started.type === 'run.started') started.driver = driver;
  return store.ingest(runId, events);
}

describe('compare: Node beside Tornado', () => {
  const store = new TraceStore();
  const nodeOld = run(
    store,
    'node-old',
    1000,
    { runtime: 'node', mode: 'nonblocking' },
    'mongodb 7.9.0 (Node), awaited',
  );
  const tornadoBlocking = run(
    store,
    'tornado-b',
    5000,
    { runtime: 'tornado', mode: 'blocking' },
    'pymongo 3.11.0, blocking',
  );
  const tornadoNonblocking = run(
    store,
    'tornado-n',
    9000,
    { runtime: 'tornado', mode: 'nonblocking' },
    'Motor 2.3.0 (pymongo on a thread pool)',
  );
  const all = [nodeOld, tornadoBlocking, tornadoNonblocking];

  it("knows each run's runtime (Node for traces from before the runtime knob)", () => {
    expect(all.map(runtimeOf)).toEqual(['node', 'tornado', 'tornado']);
    const legacy = new TraceStore();
    const old = run(legacy, 'legacy', 1, {});
    delete (old.started!.config as Partial<LabConfig>).runtime;
    expect(runtimeOf(old)).toBe('node');
  });

  it('pairs by mode: the newest of each mode, whatever its runtime', () => {
    const [blocking, nonblocking] = compareSides(all, 'mode');
    expect([blocking.key, blocking.run?.runId]).toEqual(['blocking', 'tornado-b']);
    expect([nonblocking.key, nonblocking.run?.runId]).toEqual(['nonblocking', 'tornado-n']);
  });

  it('pairs by runtime: the newest Node run beside the newest Tornado run', () => {
    expect(lastRunsByRuntime(all).node?.runId).toBe('node-old');
    const [node, tornado] = compareSides(all, 'runtime');
    expect([node.title, node.run?.runId]).toEqual(['Node', 'node-old']);
    expect([tornado.title, tornado.run?.runId]).toEqual(['Tornado', 'tornado-n']);
    expect(compareSides([tornadoBlocking], 'runtime')[0]).toMatchObject({
      run: undefined,
      missing: expect.stringMatching(/No Node run yet/),
    });
  });

  it('labels a side with runtime and driver, or runtime and mode when the trace names no driver', () => {
    expect(servedBy(nodeOld)).toBe('Node · mongodb 7.9.0 (Node), awaited');
    expect(servedBy(tornadoBlocking)).toBe('Tornado · pymongo 3.11.0, blocking');
    expect(servedBy(run(new TraceStore(), 'x', 1, { runtime: 'tornado', mode: 'blocking' }))).toBe(
      'Tornado · blocking',
    );
  });

  it('renders both sides with their labels', () => {
    const html = renderToStaticMarkup(<CompareView runs={store.publish()} />);
    expect(html).toContain('Tornado · pymongo 3.11.0, blocking');
    expect(html).toContain('Tornado · Motor 2.3.0 (pymongo on a thread pool)');
    expect(html).toContain('Node vs Tornado');
    const byRuntime = renderToStaticMarkup(<CompareView runs={store.publish()} initialBy="runtime" />);
    expect(byRuntime).toMatch(/<h3 id="compare-node">Node<\/h3><p[^>]*>Node · mongodb 7\.9\.0 \(Node\), awaited</);
    expect(byRuntime).toMatch(
      /<h3 id="compare-tornado">Tornado<\/h3><p[^>]*>Tornado · Motor 2\.3\.0 \(pymongo on a thread pool\)</,
    );
  });
});
