/**
 * Where the page's time goes while it ingests 20,000 events/s live: builds the UI unminified,
 * runs the UI bench's streaming case under Chromium's CPU profiler and prints the functions
 * with the most self time (and the total per source file). `npx tsx bench/uiProfile.ts [checkout]`.
 */
import path from 'node:path';
import { chromium } from '@playwright/test';
import { DEFAULT_CONFIG } from '../common/config';
import type { TraceEvent } from '../common/trace';
import { synthesizeRun } from '../src/trace/synthetic';
import { synthesizeLongPoll } from '../src/viz/syntheticLongPoll';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildDistToTemp, serveStatic } from './uiServer';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface TraceRecord {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Self time per trace event name on each renderer thread (what "(program)" hides: style, layout, paint). */
function printTraceSummary(events: TraceRecord[]) {
  const threadNames = new Map<string, string>();
  for (const e of events)
    if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const byThread = new Map<string, TraceRecord[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    const list = byThread.get(key) ?? [];
    list.push(e);
    byThread.set(key, list);
  }
  for (const [key, list] of byThread) {
    const name = threadNames.get(key) ?? key;
    if (!/CrRendererMain|Compositor|Raster|VizCompositor|CrBrowserMain|DedicatedWorker/.test(name)) continue;
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const self = new Map<string, number>();
    const stack: Array<{ e: TraceRecord; end: number }> = [];
    let busy = 0;
    for (const e of list) {
      while (stack.length && stack.at(-1)!.end <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent.e.name, (self.get(parent.e.name) ?? 0) - e.dur!);
      else busy += e.dur!;
      self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
      stack.push({ e, end: e.ts + e.dur! });
    }
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 14);
    console.log(`-- thread ${name}: busy ${(busy / 1000).toFixed(0)} ms --`);
    for (const [n, us] of top) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${n}`);
  }
}

async function main() {
  const root = path.resolve(process.argv[2] ?? '.');
  const built = await buildDistToTemp('lab-ui-profile-', root, { minify: false });
  const server = await serveStatic(built.dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(server.url);
    await page.waitForFunction(() => window.__lab !== undefined);
    // PROFILE_CASE=c10k: 10,000 long-polls waiting, played slowly (the UI bench's third case) instead.
    const c10k =
      process.env.PROFILE_CASE === 'c10k'
        ? synthesizeLongPoll({ waiters: 10_000, runId: 'c10k', holdMs: 4000 })
        : undefined;
    const stream = c10k
      ? c10k.events
      : synthesizeRun(
          { ...DEFAULT_CONFIG, dbLatencyMs: 20, poolSize: 50 },
          { requests: 8000, concurrency: 100, runId: 'stream' },
        );
    if (c10k)
      await page.evaluate(
        ({ events, at }) => {
          window.__lab!.load(events as TraceEvent[], 'c10k');
          window.__lab!.playFrom(at, 0.1);
        },
        { events: c10k.events, at: c10k.allWaitingAt - 1500 },
      );
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    // The events go to the page first, so the profile covers the streaming only.
    await page.evaluate(
      (events: TraceEvent[]) => void ((window as unknown as { __events: TraceEvent[] }).__events = events),
      stream,
    );
    if (process.env.TRACE)
      await browser.startTracing(page, {
        categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'v8'],
      });
    if (!process.env.NOPROFILE) await cdp.send('Profiler.start');
    const result = await page.evaluate(async (waitOnly: boolean) => {
      if (waitOnly) {
        const start = performance.now();
        let frames = 0;
        return new Promise<{ fps: number; events: number }>((resolve) => {
          const tick = (now: number) => {
            frames += 1;
            if (now - start < 4000) requestAnimationFrame(tick);
            else resolve({ fps: frames / ((now - start) / 1000), events: 0 });
          };
          requestAnimationFrame(tick);
        });
      }
      const events = (window as unknown as { __events: TraceEvent[] }).__events;
      const lab = window.__lab!;
      lab.load([], 'stream', true);
      const rate = 20_000;
      let sent = 0;
      let frames = 0;
      const start = performance.now();
      return new Promise<{ fps: number; events: number }>((resolve) => {
        const tick = (now: number) => {
          const due = Math.min(events.length, Math.floor(((now - start) / 1000) * rate));
          if (due > sent) lab.ingest(events.slice(sent, due), 'stream');
          sent = due;
          frames += 1;
          if (sent < events.length && now - start < 6000) requestAnimationFrame(tick);
          else resolve({ fps: frames / ((now - start) / 1000), events: sent });
        };
        requestAnimationFrame(tick);
      });
    }, c10k !== undefined);
    if (process.env.TRACE) {
      const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceRecord[] };
      printTraceSummary(trace.traceEvents);
    }
    if (process.env.NOPROFILE) return;
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    console.log(`fps ${result.fps.toFixed(1)} over ${result.events} events`);
    const selfById = new Map<number, number>();
    profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFunction = new Map<string, number>();
    const byFile = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const self = (selfById.get(node.id) ?? 0) / 1000;
      total += self;
      const { functionName, url, lineNumber } = node.callFrame;
      const file = url.split('/').pop() || '(native)';
      const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + self);
      byFile.set(file, (byFile.get(file) ?? 0) + self);
    }
    const top = (map: Map<string, number>, n: number) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => `${v.toFixed(0).padStart(7)} ms ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
    console.log(`total ${total.toFixed(0)} ms sampled\n-- self time by function --`);
    console.log(top(byFunction, Number(process.env.TOP ?? 40)).join('\n'));
    // Inclusive time: each sample counts once for every distinct function on its stack.
    const parent = new Map<number, number>();
    const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    const inclusive = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const { functionName, url, lineNumber } = nodeById.get(at)!.callFrame;
        if (!url) continue;
        const name = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
        if (seen.has(name)) continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
    });
    console.log('-- inclusive time by function --');
    console.log(top(inclusive, Number(process.env.TOP ?? 40)).join('\n'));
    console.log('-- by file --');
    console.log(top(byFile, 10).join('\n'));
  } finally {
    await browser.close();
    await server.close();
    built.remove();
  }
}

main().catch((error) => (console.error(error), process.exit(1)));
