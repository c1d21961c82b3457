import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, LiveMessage, RunSummary } from '../../../common/api';
import type { TraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, openLive, startLab, startSeededDatabase, until, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  // A small lag threshold so a paused client falls behind within one modest run.
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 }, live: { lagBytes: 64 * 1024 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const traceEvents = (messages: LiveMessage[], runId: string | null): TraceEvent[] =>
  messages.flatMap((m) => (m.type === 'trace' && m.runId === runId ? m.events : []));

describe('the live stream', () => {
  it('says hello with the health, then streams a hand-sent request with runId null', async () => {
    // The hello carries the health as it is then: wait until the subject is up, which a busy
    // machine (e.g. under coverage) may take a while for, or a first warm-up read may miss.
    for (const deadline = Date.now() + 120_000; ;) {
      const health = await lab.json<HealthResponse>('GET', '/api/health');
      if (health.body.subject.state === 'ready' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const live = await openLive(lab.url);
    await until(() => live.messages[0], 5000, 'hello');
    expect(live.messages[0]).toMatchObject({ type: 'hello', health: { status: 'ok', subject: { state: 'ready' } } });
    const res = await fetch(`${lab.url}/subject/users/alice`, { headers: { 'x-lab-client': 'phone 7' } });
    const rid = res.headers.get('x-lab-rid')!;
    await res.text();
    const events = await until(
      () => {
        const mine = traceEvents(live.messages, null).filter((e) => 'rid' in e && e.rid === rid);
        return mine.some((e) => e.type === 'client.done') && mine.some((e) => e.type === 'subject.responded') && mine;
      },
      5000,
      'the hand-sent request on the stream',
    );
    expect(events.find((e) => e.type === 'client.sent')).toMatchObject({ route: 'getUser', client: 'phone 7' });
    expect(events.find((e) => e.type === 'subject.accepted')).toBeDefined();
    live.socket.close();
  });

  it('streams a run: its summary as it goes and its events in batches', async () => {
    const live = await openLive(lab.url);
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 50, concurrency: 10 });
    const summary = await lab.waitForRun(body.id);
    const last = await until(
      () => {
        const runs = live.messages.filter(
          (m): m is Extract<LiveMessage, { type: 'run' }> => m.type === 'run' && m.run.id === body.id,
        );
        return runs.at(-1)?.run.status === 'done' && runs.at(-1)!.run;
      },
      5000,
      'the final run message',
    );
    expect(last).toEqual(summary);
    const events = traceEvents(live.messages, body.id);
    expect(events.filter((e) => e.type === 'client.done')).toHaveLength(50);
    expect(events.filter((e) => e.type === 'subject.responded').length).toBe(50);
    // Batched: far fewer messages than events.
    const batches = live.messages.filter((m) => m.type === 'trace' && m.runId === body.id).length;
    expect(batches).toBeLessThan(events.length / 4);
    live.socket.close();
  });

  it('answers malformed messages with an error and keeps the socket open', async () => {
    const live = await openLive(lab.url);
    live.socket.send('not json');
    live.socket.send(JSON.stringify({ type: 'drop', table: 'users' }));
    live.socket.send(JSON.stringify({ type: 'ping' }));
    await until(
      () =>
        live.messages.filter((m) => m.type === 'error').length === 2 && live.messages.some((m) => m.type === 'status'),
      5000,
      'replies',
    );
    const errors = live.messages.filter((m) => m.type === 'error');
    expect(errors[0]).toMatchObject({ message: expect.stringMatching(/must be JSON/) });
    expect(errors[1]).toMatchObject({ message: expect.stringMatching(/unknown message/) });
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    live.socket.close();
  });

  it('closes a flooding socket, and only that one', async () => {
    const calm = await openLive(lab.url);
    const flood = await openLive(lab.url);
    for (let i = 0; i < 80; i++) flood.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await flood.closed).toBe(1008);
    const big = await openLive(lab.url);
    big.socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect(await big.closed).toBe(1009);
    expect(calm.socket.readyState).toBe(calm.socket.OPEN);
    const res = await fetch(`${lab.url}/subject/users/alice`);
    const rid = res.headers.get('x-lab-rid')!;
    await res.text();
    await until(
      () => traceEvents(calm.messages, null).some((e) => 'rid' in e && e.rid === rid && e.type === 'client.done'),
      5000,
      'events on the calm socket',
    );
    expect((await lab.json('GET', '/api/health')).status).toBe(200);
    calm.socket.close();
  });

  it('tells a client that cannot keep up that it is lagging, skips its batches, and loses nothing from the run', async () => {
    const slow = await openLive(lab.url);
    await until(() => slow.messages[0], 5000, 'hello');
    slow.socket.pause(); // stops reading: the server's send buffer for this socket grows
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 4000, concurrency: 50 });
    const summary: RunSummary = await lab.waitForRun(body.id, 120_000);
    slow.socket.resume();
    // Draining 4,000 requests' backlog takes a busy machine (or one under coverage) far longer
    // than a quiet one: these waits are bounded by the test's own time, not by a guess at speed.
    await until(() => slow.messages.some((m) => m.type === 'lagging'), 60_000, 'a lagging notice');
    // Once it has drained, a resume gets it back on the stream with a count of what it missed.
    // A resume at most every 250 ms: the lab closes a socket that sends more than 50 a second.
    let lastResume = 0;
    const resumed = await until(
      () => {
        if (Date.now() - lastResume >= 250) {
          slow.socket.send(JSON.stringify({ type: 'resume' }));
          lastResume = Date.now();
        }
        return slow.messages.find(
          (m): m is Extract<LiveMessage, { type: 'lagging' }> => m.type === 'lagging' && m.resumed === true,
        );
      },
      60_000,
      'the resumed notice',
    );
    expect(resumed.skipped).toBeGreaterThan(0);
    const received = traceEvents(slow.messages, body.id).length;
    const text = await (await fetch(`${lab.url}/api/runs/${body.id}/trace`)).text();
    const stored = text.trim().split('\n').length;
    expect(received).toBeLessThan(stored - 2);
    expect(summary.completed).toBe(4000);
    expect(text.split('\n').filter((l) => l.includes('"type":"client.done"'))).toHaveLength(4000);
    slow.socket.close();
  }, 270_000); // 4,000 requests: up to 120 s for the run and 60 s for each notice, as a busy laptop may need
});
