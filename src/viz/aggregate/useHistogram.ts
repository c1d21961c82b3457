/**
 * The histogram lane's data, aggregated in a worker: each update sends only the requests whose
 * lifecycle changed since the last (packed segments, transferred), then asks for the bins.
 * Where there is no Worker (a test's DOM), the same service runs in place.
 */
import { useEffect, useState } from 'react';
import type { RequestLifecycle } from '../../trace/lifecycle';
import type { RunTrace, TraceView } from '../../trace/store';
import {
  createHistogramService,
  packRequests,
  type Histogram,
  type HistogramQuery,
  type HistogramReply,
  type HistogramRequest,
} from './histogram';

type Send = (message: HistogramRequest, transfer?: Transferable[]) => void;

let client: { send: Send; listeners: Set<(reply: HistogramReply) => void> } | undefined;

function histogramClient() {
  if (client) return client;
  const listeners = new Set<(reply: HistogramReply) => void>();
  let send: Send;
  if (typeof Worker === 'undefined') {
    const service = createHistogramService();
    send = (message) => {
      const reply = service(message);
      if (reply) queueMicrotask(() => listeners.forEach((l) => l(reply)));
    };
  } else {
    const worker = new Worker(new URL('./histogram.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<HistogramReply>) => listeners.forEach((l) => l(event.data));
    send = (message, transfer = []) => worker.postMessage(message, transfer);
  }
  return (client = { send, listeners });
}

/** What the worker holds of each run on screen: the lifecycle object last sent per request. */
const sent = new WeakMap<RunTrace, { key: string; lifecycles: Array<RequestLifecycle | undefined> }>();
const keyOfRun = new Map<string, string>();
let nextKey = 0;
let nextId = 0;

/** Sends the requests that changed since the last call; returns the run's key in the worker. */
function sync(trace: RunTrace): string {
  const { send } = histogramClient();
  let state = sent.get(trace);
  if (!state) {
    // A run replaced wholesale (a stored trace fetched, an import) starts over in the worker.
    const old = keyOfRun.get(trace.runId);
    if (old) send({ type: 'reset', run: old });
    state = { key: `${trace.runId}#${nextKey++}`, lifecycles: [] };
    keyOfRun.set(trace.runId, state.key);
    sent.set(trace, state);
  }
  const changed: Array<[number, RequestLifecycle['segments']]> = [];
  trace.lifecycles.forEach((life, i) => {
    if (state.lifecycles[i] === life) return;
    state.lifecycles[i] = life;
    changed.push([i, life.segments]);
  });
  if (changed.length > 0) {
    const message = packRequests(state.key, changed);
    send(message, [message.packed.buffer]);
  }
  return state.key;
}

/** `view`: the run as published; a new view sends what changed and asks again. */
export function useHistogram(view: TraceView, query: HistogramQuery | undefined): Histogram | undefined {
  const [histogram, setHistogram] = useState<Histogram>();
  const wanted = query !== undefined;
  const { start, end, bins, until } = query ?? { start: 0, end: 0, bins: 0, until: 0 };
  useEffect(() => {
    const { trace } = view;
    if (!trace || !wanted) return undefined;
    const { send, listeners } = histogramClient();
    const run = sync(trace);
    const id = nextId++;
    const listener = (reply: HistogramReply) => {
      if (reply.id === id) setHistogram(reply.histogram);
    };
    listeners.add(listener);
    send({ type: 'histogram', run, id, start, end, bins, until });
    return () => void listeners.delete(listener);
  }, [view, wanted, start, end, bins, until]);
  // A histogram of another run or window stays until the new one arrives (no blank frame).
  return view.trace && query ? histogram : undefined;
}
