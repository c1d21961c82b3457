/**
 * The streaming case's cost in main-thread CPU, for A/B on a busy machine: frames per second
 * fall with the machine's load, the renderer's thread time much less. Each frame ingests a fixed
 * 333 events (20,000 events/s at 60 fps), whatever the frame rate, so both checkouts do the same
 * work; the figure is the renderer main thread's CPU time (trace events' thread durations) per frame.
 * `npx tsx bench/uiCpu.ts <checkout> [checkout…]` (ROUNDS=n, default 2; SELF=1 adds the self time per trace event; THREADS=1 the CPU per frame of every thread).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { DEFAULT_CONFIG } from '../common/config';
import type { TraceEvent } from '../common/trace';
import { synthesizeRun } from '../src/trace/synthetic';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildDistToTemp, serveStatic } from './uiServer';

interface TraceRecord {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Self thread time per trace event name on one thread. */
function selfTimes(events: TraceRecord[]): Array<[string, number]> {
  const list = events
    .filter((e) => e.ph === 'X' && e.tdur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: Array<{ e: TraceRecord; end: number }> = [];
  for (const e of list) {
    while (stack.length && stack.at(-1)!.end <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent.e.name, (self.get(parent.e.name) ?? 0) - e.tdur!);
    self.set(e.name, (self.get(e.name) ?? 0) + e.tdur!);
    stack.push({ e, end: e.ts + e.dur! });
  }
  return [...self].sort((a, b) => b[1] - a[1]);
}

async function main() {
  const roots = process.argv.slice(2).map((d) => path.resolve(d));
  if (roots.length === 0) throw new Error('usage: tsx bench/uiCpu.ts <checkout> [checkout…]');
  const builds: Array<{ root: string; build: { dir: string; remove: () => void } }> = [];
  const stream = synthesizeRun(
    { ...DEFAULT_CONFIG, dbLatencyMs: 20, poolSize: 50 },
    { requests: 8000, concurrency: 100, runId: 'stream' },
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    for (const root of roots) builds.push({ root, build: await buildDistToTemp('lab-ui-cpu-', root) });
    for (let round = 1; round <= Number(process.env.ROUNDS ?? 2); round += 1)
      for (const { root, build } of builds) {
        const server = await serveStatic(build.dir);
        const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
        try {
          await page.addInitScript('globalThis.__name = (f) => f');
          await page.goto(server.url);
          await page.waitForFunction(() => window.__lab !== undefined);
          await page.evaluate(
            (events) => void ((window as unknown as { __events: TraceEvent[] }).__events = events),
            stream,
          );
          const before = load();
          await browser.startTracing(page, {
            categories: process.env.SELF
              ? ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink']
              : ['toplevel'],
          });
          const result = await page.evaluate(async () => {
            const events = (window as unknown as { __events: TraceEvent[] }).__events;
            const lab = window.__lab!;
            lab.load([], 'stream', true);
            const perFrame = Math.round(20_000 / 60);
            let sent = 0;
            let frames = 0;
            const start = performance.now();
            return new Promise<{ frames: number; seconds: number }>((resolve) => {
              const tick = () => {
                const due = Math.min(events.length, sent + perFrame);
                lab.ingest(events.slice(sent, due), 'stream');
                sent = due;
                frames += 1;
                if (sent < events.length) requestAnimationFrame(tick);
                else resolve({ frames, seconds: (performance.now() - start) / 1000 });
              };
              requestAnimationFrame(tick);
            });
          });
          const trace = (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceRecord[] })
            .traceEvents;
          const threadOf = (name: string) =>
            trace.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name);
          const main = threadOf('CrRendererMain');
          const onMain = trace.filter((e) => main && e.pid === main.pid && e.tid === main.tid);
          // Top-level tasks only: their thread durations hold everything run inside them.
          const cpuMs =
            onMain.filter((e) => e.ph === 'X' && /RunTask$/.test(e.name)).reduce((s, e) => s + (e.tdur ?? 0), 0) / 1000;
          console.log(
            `${path.basename(root)} round ${round}: main-thread CPU ${(cpuMs / result.frames).toFixed(2)} ms/frame ` +
              `(${cpuMs.toFixed(0)} ms over ${result.frames} frames, ${result.seconds.toFixed(1)} s wall), load ${before} -> ${load()}`,
          );
          if (process.env.THREADS) {
            // Every thread of every process: the renderer's main thread is not the only one a frame needs.
            const names = new Map<string, string>();
            for (const e of trace)
              if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
            const perThread = new Map<string, number>();
            for (const e of trace)
              if (e.ph === 'X' && /RunTask$/.test(e.name)) {
                const name = names.get(`${e.pid}:${e.tid}`) ?? '?';
                perThread.set(name, (perThread.get(name) ?? 0) + (e.tdur ?? 0));
              }
            for (const [name, us] of [...perThread].sort((a, b) => b[1] - a[1]).slice(0, 12))
              console.log(`${(us / 1000 / result.frames).toFixed(2).padStart(8)} ms/frame  ${name}`);
          }
          if (process.env.SELF)
            for (const [name, us] of selfTimes(onMain).slice(0, 20))
              console.log(`${(us / 1000).toFixed(0).padStart(8)} ms  ${name}`);
        } finally {
          await page.close();
          await server.close();
        }
      }
  } finally {
    await browser.close();
    for (const { build } of builds) build.remove();
  }
}

main().catch((error) => (console.error(error), process.exit(1)));
