/**
 * The recorded lesson runs the static build replays (public/recordings, written by
 * `npm run record:lessons` from the real lab): every step has one, every line is a valid
 * trace event, and each was recorded with the step's current preset. Then the player's
 * side: with no lab server the lesson machine replays the recording instead of calling
 * the API, and the connection machine says which of the two the page is showing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import type { LabConfig } from '../../../common/config';
import type { Experiment, Lesson } from '../../../common/lesson';
import { parseTraceEvent, type TraceEvent, type TraceEventOf } from '../../../common/trace';
import { lessonMachine, type RecordingRef } from '../../../src/lessons/lessonMachine';
import { presetConfig } from '../../../src/lessons/model';
import { parseLesson } from '../../../src/lessons/parse';
import { recordingKey, type RecordingIndex } from '../../../src/lessons/recordings';
import { connectionMachine } from '../../../src/machines/connectionMachine';
import { fakeSocketFactory } from '../ui/fakes';

const root = join(import.meta.dirname, '../../..');
const recordingsDir = join(root, 'public/recordings');
const lessons: Lesson[] = readdirSync(join(root, 'lessons'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => parseLesson(entry.name, readFileSync(join(root, 'lessons', entry.name, 'lesson.md'), 'utf8')));
const steps = lessons.flatMap((lesson) => lesson.steps.map((step, index) => ({ lesson, step, number: index + 1 })));
const index = JSON.parse(readFileSync(join(recordingsDir, 'index.json'), 'utf8')) as RecordingIndex;

function readRecording(lessonId: string, step: number): TraceEvent[] {
  const entry = index.steps[recordingKey(lessonId, step)];
  if (!entry) throw new Error(`no recording for ${lessonId} step ${step}: run npm run record:lessons`);
  const bytes = readFileSync(join(recordingsDir, entry.file));
  return (entry.file.endsWith('.gz') ? gunzipSync(bytes) : bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = parseTraceEvent(JSON.parse(line));
      if (!parsed.ok) throw new Error(`${entry.file} line ${i + 1}: ${parsed.message}`);
      return parsed.event;
    });
}

describe('the recorded lesson runs', () => {
  it('has a recording for every step of every lesson, and nothing else', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const expected = steps.map(({ lesson, number }) => recordingKey(lesson.id, number)).sort();
    expect(Object.keys(index.steps).sort()).toEqual(expected);
    for (const entry of Object.values(index.steps)) expect(existsSync(join(recordingsDir, entry.file))).toBe(true);
  });

  it.each(steps.map((s) => [`${s.lesson.id} step ${s.number}`, s] as const))(
    "%s: every line is a trace event, recorded with the step's preset, every request answered",
    (_name, { lesson, step, number }) => {
      const events = readRecording(lesson.id, number);
      const started = events.find((e): e is TraceEventOf<'run.started'> => e.type === 'run.started');
      const finished = events.find((e): e is TraceEventOf<'run.finished'> => e.type === 'run.finished');
      // The knobs and the plan the step asks for: a stale recording (the preset changed) fails here.
      expect(started?.config).toEqual(presetConfig(step.experiment.config));
      expect(started?.plan).toEqual(step.experiment.run);
      expect(finished?.status).toBe('done');
      const answered = events.filter((e) => e.type === 'client.done' && e.status === 200);
      expect(answered).toHaveLength(step.experiment.run.requests);
    },
  );

  it('stays small enough to commit (well under 5 MB in all)', () => {
    const total = Object.values(index.steps).reduce(
      (sum, entry) => sum + statSync(join(recordingsDir, entry.file)).size,
      0,
    );
    expect(total).toBeLessThan(5 * 1024 * 1024);
  });
});

const experiment: Experiment = {
  config: { mode: 'nonblocking', dbLatencyMs: 100 },
  run: { requests: 10, concurrency: 10, route: 'getUser' },
  lookFor: 'the database',
};
const recording: RecordingRef = { lessonId: 'the-non-blocking-driver', step: 1 };

/** The lesson machine with the API and the recordings read from disk; records what it was asked. */
function player() {
  const calls = { applied: 0, fetched: [] as RecordingRef[], shown: [] as { runId: string; events: number }[] };
  const machine = lessonMachine.provide({
    actors: {
      applyConfig: fromPromise<LabConfig, Experiment>(async () => {
        calls.applied++;
        throw new Error('The lab server does not answer.');
      }),
      fetchRecording: fromPromise<TraceEvent[], RecordingRef>(async ({ input }) => {
        calls.fetched.push(input);
        return readRecording(input.lessonId, input.step);
      }),
    },
    actions: { showRecording: (_, params) => calls.shown.push({ runId: params.runId, events: params.events.length }) },
  });
  return { actor: createActor(machine).start(), calls };
}

describe('lessonMachine without a lab server', () => {
  it("replays the step's recording, shows it and reports the recorded run's numbers", async () => {
    const { actor, calls } = player();
    actor.send({ type: 'RUN', experiment, backend: 'recorded', recording });
    await waitFor(actor, (s) => s.matches('done'));
    const { context } = actor.getSnapshot();
    expect(calls.applied).toBe(0);
    expect(calls.fetched).toEqual([recording]);
    expect(context.source).toBe('recorded');
    expect(context.summary).toMatchObject({ status: 'done', completed: 10, errors: 0 });
    expect(context.summary?.latencyMs.max).toBeGreaterThan(100); // a real 100 ms round trip, not a synthetic one
    expect(calls.shown).toEqual([
      {
        runId: index.steps['the-non-blocking-driver/1']?.runId,
        events: readRecording('the-non-blocking-driver', 1).length,
      },
    ]);
    actor.stop();
  });

  it('runs live when the lab answers, even if a recording exists', async () => {
    const { actor, calls } = player();
    actor.send({ type: 'RUN', experiment, backend: 'live', recording });
    await waitFor(actor, (s) => s.matches('failed'));
    expect(calls.applied).toBe(1);
    expect(calls.fetched).toEqual([]);
    expect(actor.getSnapshot().context.source).toBe('live');
    actor.stop();
  });

  it('says so when a step has no recording', async () => {
    const { actor } = player();
    actor.send({ type: 'RUN', experiment, backend: 'recorded', recording: { lessonId: 'no-such-lesson', step: 1 } });
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toMatch(/no recording for no-such-lesson/);
    actor.stop();
  });
});

describe('connectionMachine: live or recorded', () => {
  it('is unknown until the first attempt settles, recorded while no lab answers, live when one does', () => {
    const fake = fakeSocketFactory();
    const actor = createActor(connectionMachine.provide({ actors: { liveSocket: fake.logic } }), {
      input: { url: 'ws://lab/api/live', onMessage: () => {} },
    }).start();
    const backend = () => actor.getSnapshot().context.backend;
    expect(backend()).toBe('unknown');
    fake.last().sendBack({ type: 'socket.closed', reason: 'connection error' });
    expect(backend()).toBe('recorded');
    actor.send({ type: 'connection.retry' });
    expect(backend()).toBe('recorded'); // still trying: the recordings stay until a lab answers
    fake.last().sendBack({ type: 'socket.open' });
    expect(backend()).toBe('live');
    fake.last().sendBack({ type: 'socket.closed', reason: 'closed (1006)' });
    expect(backend()).toBe('recorded');
    actor.stop();
  });
});

describe('a recording as the page reads it', () => {
  const lines = '{"a":1}\n{"b":2}\n';
  it('unzips a gzipped recording by its bytes, and reads a plain one as it is', async () => {
    const { gzipSync } = await import('node:zlib');
    const { recordingText } = await import('../../../src/lessons/recordings');
    expect(await recordingText(new Response(gzipSync(lines)))).toBe(lines);
    expect(await recordingText(new Response(lines))).toBe(lines);
  });
});
