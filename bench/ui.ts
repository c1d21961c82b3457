/**
 * The UI benchmark: builds the app, serves dist/ statically,
 * opens headless Chromium and measures, on synthetic traces fed through window.__lab:
 *  - p95 frame time with 1,000 request tokens on screen (goal <= 16.7 ms),
 *  - frames per second while ingesting 20,000 events/s, as the lab's 16 ms WebSocket batches of JSON (goal >= 50),
 *  - p95 frame time with 10,000 long-polls waiting at the door (goal <= 20 ms),
 *  - the longest frame while a burst of 50,000 events arrives in one batch (goal <= 100 ms),
 *  - the initial JavaScript, gzipped (goal <= 150 KB).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { DEFAULT_CONFIG } from '../common/config';
import type { TraceEvent } from '../common/trace';
import { synthesizeRun } from '../src/trace/synthetic';
import { synthesizeLongPoll } from '../src/viz/syntheticLongPoll';
import { type BenchRow, printTable } from './table';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildDistToTemp, serveStatic } from './uiServer';

/** Sum of gzip sizes of the scripts index.html loads before anything else (entry + modulepreloads). */
export function initialJsGzipBytes(distDir: string): number {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  return scripts.reduce((sum, src) => sum + gzipSync(readFileSync(path.join(distDir, src))).length, 0);
}

/** The lab's live batches: it sends what arrived in each 16 ms as one message (server/lab/live.ts). */
const LIVE_BATCH_MS = 16;
const STREAM_RATE = 20_000;

/** A trace as the lab's WebSocket messages at `rate` events/s: one JSON text per batchMs. */
export function liveMessages(events: readonly TraceEvent[], runId: string, rate: number, batchMs: number): string[] {
  const perBatch = Math.max(1, Math.round((rate * batchMs) / 1000));
  const messages: string[] = [];
  for (let i = 0; i < events.length; i += perBatch)
    messages.push(JSON.stringify({ type: 'trace', runId, events: events.slice(i, i + perBatch) }));
  return messages;
}

/**
 * Hands the page a case's data before its clock starts. Passed in the measuring evaluate()
 * itself, 100,000 events took DevTools about 6 s to deliver, and the main thread was still busy
 * with that message about 0.7 s after the measuring function began: frames the page never had
 * the chance to draw, counted against it.
 */
async function stage(page: Page, data: unknown): Promise<void> {
  await page.evaluate((value) => void ((window as unknown as { __staged: unknown }).__staged = value), data);
  // Two frames, so whatever delivering it left behind is done before anything is timed.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
}

export async function benchUi(): Promise<BenchRow[]> {
  const built = await buildDistToTemp('lab-ui-bench-');
  try {
    const gzipKb = initialJsGzipBytes(built.dir) / 1024;
    return [
      { name: 'initial JS (gzip)', value: gzipKb, unit: 'KB', goal: '<= 150', ok: gzipKb <= 150 },
      ...(await measureUi(built.dir)),
    ];
  } finally {
    built.remove();
  }
}

/** The page's figures on a built UI (dist folder): frame times and ingest rate. */
export async function measureUi(dist: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const server = await serveStatic(dist);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    // tsx compiles with keepNames, which wraps functions passed to evaluate() in __name().
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(server.url);
    await page.waitForFunction(() => window.__lab !== undefined);

    // The machine's own baseline: the same page with nothing moving (the machine is shared and noisy).
    const baseline = await page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const times: number[] = [];
          let last = performance.now();
          const tick = (now: number) => {
            times.push(now - last);
            last = now;
            if (times.length < 180) requestAnimationFrame(tick);
            else resolve(times.slice(10));
          };
          requestAnimationFrame(tick);
        }),
    );
    const baseP95 = p95(baseline);
    const baseFps = 1000 / (baseline.reduce((a, b) => a + b, 0) / baseline.length);
    rows.push({ name: 'baseline: p95 frame time of the idle page', value: baseP95, unit: 'ms' });
    rows.push({ name: 'baseline: fps of the idle page', value: baseFps, unit: 'fps' });

    // 1,000 tokens: 1,000 requests at once against a 2 s database: 200 in flight, 800 waiting for the pool.
    const crowd = synthesizeRun(
      { ...DEFAULT_CONFIG, dbLatencyMs: 2000, poolSize: 200 },
      { requests: 1000, concurrency: 1000, runId: 'crowd' },
    );
    const frames = await page.evaluate(async (events: TraceEvent[]) => {
      const lab = window.__lab!;
      lab.load(events, 'crowd');
      // Once every request is out at the database: 1,000 diamonds in flight, moving slowly.
      const lastAccepted = events.filter((e) => e.type === 'subject.accepted').at(-1);
      lab.playFrom(lastAccepted ? lastAccepted.t + 1 : 0, 0.1);
      const times: number[] = [];
      return new Promise<{ frames: number[]; tokens: number }>((resolve) => {
        let last = performance.now();
        const tick = (now: number) => {
          times.push(now - last);
          last = now;
          // The first 30 frames draw the run for the first time (timeline, numbers): not the animation.
          if (times.length < 230) requestAnimationFrame(tick);
          else
            resolve({
              frames: times.slice(30),
              tokens: Number(document.querySelector('[data-testid="view-loop"]')?.getAttribute('data-tokens') ?? 0),
            });
        };
        requestAnimationFrame(tick);
      });
    }, crowd);
    const frameP95 = p95(frames.frames);
    // The goal holds when met outright, or when 1,000 tokens cost no more than 10 % over the idle page on this machine.
    rows.push({
      name: `p95 frame time, ${frames.tokens} tokens on screen`,
      value: frameP95,
      unit: 'ms',
      goal: '<= 16.7 (or <= 1.1 x baseline)',
      ok: frames.tokens >= 1000 && (frameP95 <= 16.7 || frameP95 <= baseP95 * 1.1),
    });

    // 10,000 long-polls parked at the door, playing slowly through the hold.
    const c10k = synthesizeLongPoll({ waiters: 10_000, runId: 'c10k', holdMs: 4000 });
    const waiting = await page.evaluate(
      async ({ events, at }: { events: TraceEvent[]; at: number }) => {
        const lab = window.__lab!;
        lab.load(events, 'c10k');
        lab.playFrom(at, 0.1);
        const times: number[] = [];
        return new Promise<{ frames: number[]; inFlight: number }>((resolve) => {
          let last = performance.now();
          const tick = (now: number) => {
            times.push(now - last);
            last = now;
            if (times.length < 230) requestAnimationFrame(tick);
            else {
              const view = document.querySelector('[data-testid="view-loop"]');
              resolve({
                frames: times.slice(30),
                inFlight: Number(view?.getAttribute('data-in-flight') ?? view?.getAttribute('data-tokens') ?? 0),
              });
            }
          };
          requestAnimationFrame(tick);
        });
      },
      { events: c10k.events, at: c10k.allWaitingAt - 1500 },
    );
    const c10kP95 = p95(waiting.frames);
    rows.push({
      name: `p95 frame time, ${waiting.inFlight} long-polls waiting`,
      value: c10kP95,
      unit: 'ms',
      goal: '<= 20 (or <= 1.2 x baseline)',
      ok: waiting.inFlight >= 10_000 && (c10kP95 <= 20 || c10kP95 <= baseP95 * 1.2),
    });

    // A burst: 50,000 events in one batch (a long-poll run's arrivals), live; the longest frame from the burst on.
    const burst = synthesizeLongPoll({ waiters: 10_000, runId: 'burst' }).events.slice(0, 50_000);
    await stage(page, burst);
    const absorbed = await page.evaluate(async () => {
      const events = (window as unknown as { __staged: TraceEvent[] }).__staged;
      const lab = window.__lab!;
      lab.load([], 'burst', true);
      const times: number[] = [];
      return new Promise<{ longest: number; requests: number }>((resolve) => {
        let last = performance.now();
        let frames = 0;
        const tick = () => {
          const now = performance.now();
          frames += 1;
          if (frames > 10) times.push(now - last);
          last = now;
          if (frames === 10) lab.ingest(events, 'burst');
          if (frames < 130) requestAnimationFrame(tick);
          else resolve({ longest: Math.max(...times), requests: lab.requestCount('burst') });
        };
        requestAnimationFrame(tick);
      });
    });
    rows.push({
      name: `longest frame, burst of ${burst.length} events (${absorbed.requests} requests)`,
      value: absorbed.longest,
      unit: 'ms',
      goal: '<= 100',
      ok: absorbed.requests > 0 && absorbed.longest <= 100,
    });

    // 20,000 events/s for 4 s, live, delivered as the lab delivers them: a WebSocket message of
    // JSON text every 16 ms (server/lab/live.ts), parsed on the page's main thread as its socket
    // does. The page is given the messages before the clock starts.
    const stream = synthesizeRun(
      { ...DEFAULT_CONFIG, dbLatencyMs: 20, poolSize: 50 },
      { requests: 8000, concurrency: 100, runId: 'stream' },
    );
    const messages = liveMessages(stream, 'stream', STREAM_RATE, LIVE_BATCH_MS);
    await stage(page, messages);
    const ingest = await page.evaluate(async (batchMs: number) => {
      const texts = (window as unknown as { __staged: string[] }).__staged;
      const lab = window.__lab!;
      // A new live run takes the screen, as one announced by the lab does.
      lab.load([], 'stream', true);
      let sent = 0;
      let events = 0;
      let frames = 0;
      const start = performance.now();
      return new Promise<{ fps: number; events: number; seconds: number }>((resolve) => {
        const tick = () => {
          const now = performance.now();
          // The messages the lab would have sent by now.
          const due = Math.min(texts.length, Math.floor((now - start) / batchMs));
          for (; sent < due; sent += 1) {
            const message = JSON.parse(texts[sent]!) as { runId: string; events: TraceEvent[] };
            lab.ingest(message.events, message.runId);
            events += message.events.length;
          }
          frames += 1;
          if (sent < texts.length && now - start < 6000) requestAnimationFrame(tick);
          else {
            const seconds = (now - start) / 1000;
            resolve({ fps: frames / seconds, events, seconds });
          }
        };
        requestAnimationFrame(tick);
      });
    }, LIVE_BATCH_MS);
    rows.push({
      name: `fps while ingesting ${Math.round(ingest.events / ingest.seconds)} events/s`,
      value: ingest.fps,
      unit: 'fps',
      goal: '>= 50 (or >= 0.9 x baseline)',
      ok: ingest.events / ingest.seconds >= STREAM_RATE * 0.9 && (ingest.fps >= 50 || ingest.fps >= baseFps * 0.9),
    });
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

// `tsx bench/ui.ts` runs it alone.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  benchUi().then(
    (rows) => printTable('ui', rows),
    (error) => (console.error(error), process.exit(1)),
  );
}
