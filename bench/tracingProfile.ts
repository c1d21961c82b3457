/**
 * Where tracing's cost goes in the Node subject, on CPU: runs the tracing bench's fixed-rate
 * phase (bench/tracing.ts, one warm subject switched on and off in rounds) with the subject
 * under Linux perf (the software cpu-clock, call graphs, V8's perf map for JIT code), splits
 * the samples into the bench's on and off windows by time, and prints for each side the
 * samples per 1,000 requests: by the nearest JavaScript function, then by leaf. A function
 * only the "on" side runs is tracing's own cost; one both run, and more when on, is a side
 * effect.
 *
 * Why this and not the bench's ratio alone: the ratio says how much, not where, and removing
 * one part at a time (stops 29-30) moved it less than its noise. Why not V8's own profiler: it
 * samples wall time, so a write that wakes another process reads as this one's work; perf's
 * cpu-clock counts only time on a CPU, the kernel's included. Why by time: both sides run in
 * one process with the same JIT state, which two processes (one traced, one not) do not have.
 *
 * `npx tsx bench/tracingProfile.ts` (needs `perf`: Debian's linux-perf, run as root or with
 * perf_event_paranoid <= 1); TRACING_BENCH_PAIRS (32: 16 rounds, ~4 min), TRACING_BENCH_RATE (one
 * rate, 1000 req/s: the goal's), TOP (30 rows).
 * Figures under perf run ~1.4x the bench's CPU per request: read the differences, not the totals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

interface Window {
  tracing: boolean;
  from: number;
  to: number;
  requests: number;
}

const PAIRS = process.env.TRACING_BENCH_PAIRS ?? '32';
const TOP = Number(process.env.TOP ?? 30);
/** Samples a second: at 4 kHz one sample is 250 µs of CPU. */
const HZ = 4000;

function fail(message: string): never {
  console.error(`tracingProfile: ${message}`);
  process.exit(1);
}

function subjectPid(): number | undefined {
  const found = spawnSync('pgrep', ['-f', 'perf-basic-prof .*subject'], { encoding: 'utf8' });
  const pid = Number(found.stdout.split('\n')[0]);
  return pid > 0 ? pid : undefined;
}

/** The bench's fixed-rate windows, from its verbose lines (`node 400 {...}`). */
function windowsOf(lines: string[]): Window[] {
  return lines
    .map((line) => /^node \d+ (\{.*\})$/.exec(line.trim())?.[1])
    .filter((json): json is string => json !== undefined)
    .map((json) => JSON.parse(json) as Window)
    .filter((w) => typeof w.from === 'number')
    .sort((a, b) => a.from - b.from);
}

function clean(symbol: string): string {
  return symbol
    .replace(/file:\/\/\/tmp\/[\w-]+\//, '')
    .replace(/^JS:[*^~]?/, 'JS:')
    .replace(/\+0x[0-9a-f]+$/, '')
    .trim();
}

type Tally = Map<string, number>;
const add = (tally: Tally, key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);

async function main(): Promise<void> {
  if (spawnSync('perf', ['--version']).status !== 0) fail('needs Linux perf (Debian: apt-get install linux-perf)');
  const dir = mkdtempSync(path.join(tmpdir(), 'tracing-profile-'));
  const data = path.join(dir, 'perf.data');
  const lines: string[] = [];
  const bench = spawn('npx', ['tsx', 'bench/tracing.ts'], {
    env: {
      ...process.env,
      LAB_SUBJECT_NODE_FLAGS: '--perf-basic-prof --no-logfile-per-isolate --logfile=/dev/null',
      TRACING_BENCH_RUNTIMES: 'node',
      TRACING_BENCH_PHASES: 'paced',
      // One rate: the on and off windows of two rates would blend in the split.
      TRACING_BENCH_RATE: String(Number(process.env.TRACING_BENCH_RATE ?? 1000)),
      TRACING_BENCH_PAIRS: PAIRS,
      TRACING_BENCH_VERBOSE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [bench.stdout, bench.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => lines.push(line));
  }
  const benchDone = new Promise<number | null>((resolve) => bench.on('exit', resolve));
  let pid: number | undefined;
  for (let i = 0; i < 120 && !pid; i++) {
    await sleep(500);
    pid = subjectPid();
  }
  if (!pid) fail('the subject did not start under --perf-basic-prof');
  const record = spawn(
    'perf',
    ['record', '-k', 'mono', '-g', '-e', 'cpu-clock', '-F', String(HZ), '-p', String(pid), '-o', data],
    {
      stdio: 'ignore',
    },
  );
  const recorded = new Promise((resolve) => record.on('exit', resolve));
  const code = await benchDone;
  record.kill('SIGINT');
  await recorded;
  if (code !== 0) fail(`the bench failed (exit ${code}):\n${lines.slice(-20).join('\n')}`);

  const windows = windowsOf(lines);
  if (windows.length === 0) fail('no windows with times in the bench output');
  const starts = windows.map((w) => w.from);
  const requests = { on: 0, off: 0 };
  for (const w of windows) requests[w.tracing ? 'on' : 'off'] += w.requests;
  const total = { on: 0, off: 0 };
  const byOwner = { on: new Map() as Tally, off: new Map() as Tally };
  const byLeaf = { on: new Map() as Tally, off: new Map() as Tally };

  const windowAt = (t: number): Window | undefined => {
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || t < starts[0]!) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const w = windows[lo]!;
    return t <= w.to ? w : undefined;
  };
  let t: number | undefined;
  let frames: string[] = [];
  const settle = (): void => {
    const w = t === undefined ? undefined : windowAt(t);
    if (!w || frames.length === 0) return;
    const side = w.tracing ? 'on' : 'off';
    total[side] += 1;
    add(byLeaf[side], frames[0]!);
    add(byOwner[side], frames.find((frame) => frame.startsWith('JS:')) ?? `(no JS) ${frames[0]}`);
  };
  const script = spawn('perf', ['script', '-i', data, '-F', 'time,ip,sym'], { stdio: ['ignore', 'pipe', 'ignore'] });
  for await (const line of readline.createInterface({ input: script.stdout })) {
    const head = /^\s*(\d+\.\d+):\s*$/.exec(line);
    if (head) {
      settle();
      t = Number(head[1]);
      frames = [];
      continue;
    }
    const frame = /^\s+[0-9a-f]+\s+(.*?)(\s+\(.*\))?$/.exec(line);
    if (frame && t !== undefined) frames.push(clean(frame[1]!));
  }
  settle();
  rmSync(dir, { recursive: true, force: true });
  rmSync(`/tmp/perf-${pid}.map`, { force: true });

  const per = (count: number, side: 'on' | 'off'): number => (count * 1000) / requests[side];
  const usPerSample = 1e6 / HZ;
  console.log(`subject pid ${pid}, ${windows.length} windows; requests on ${requests.on}, off ${requests.off}`);
  console.log(
    `samples per 1,000 requests: on ${per(total.on, 'on').toFixed(1)}, off ${per(total.off, 'off').toFixed(1)}` +
      ` (ratio ${(per(total.on, 'on') / per(total.off, 'off')).toFixed(3)}); one sample per 1,000 requests = ${(usPerSample / 1000).toFixed(2)} µs a request`,
  );
  for (const [title, tally] of [
    ['by the nearest JavaScript function', byOwner],
    ['by leaf (where the CPU was)', byLeaf],
  ] as const) {
    const keys = [...new Set([...tally.on.keys(), ...tally.off.keys()])];
    const diff = (key: string) => per(tally.on.get(key) ?? 0, 'on') - per(tally.off.get(key) ?? 0, 'off');
    keys.sort((a, b) => diff(b) - diff(a));
    console.log(`\n${title}: on - off, off, on (samples per 1,000 requests)`);
    for (const key of [...keys.slice(0, TOP), ...keys.slice(-5)]) {
      const off = per(tally.off.get(key) ?? 0, 'off');
      console.log(
        `${diff(key).toFixed(2).padStart(8)} ${off.toFixed(2).padStart(8)} ${(off + diff(key)).toFixed(2).padStart(8)}  ${key.slice(0, 140)}`,
      );
    }
  }
}

await main();
