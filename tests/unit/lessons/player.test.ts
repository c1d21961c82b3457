/** The player's pure parts: its URLs, the course as the bundler loads it, and progress in localStorage. */
import { afterEach, describe, expect, it } from 'vitest';
import { course, loadCode, loadCourse } from '../../../src/lessons/load';
import { loadProgress, markStepDone, PROGRESS_KEY } from '../../../src/lessons/progress';
import { adjacentSteps, parseLessonPath, stepPath } from '../../../src/lessons/routes';

describe('lesson URLs', () => {
  it('reads the list, a step, and a lesson without a step (its first)', () => {
    expect(parseLessonPath('/lessons')).toEqual({ kind: 'list' });
    expect(parseLessonPath('/lessons/')).toEqual({ kind: 'list' });
    expect(parseLessonPath('/lessons/the-blocking-call/2')).toEqual({
      kind: 'step',
      lessonId: 'the-blocking-call',
      step: 2,
    });
    expect(parseLessonPath('/lessons/the-blocking-call?x=1')).toEqual({
      kind: 'step',
      lessonId: 'the-blocking-call',
      step: 1,
    });
    expect(parseLessonPath('/lessons/../etc/2')).toEqual({ kind: 'unknown' });
    expect(stepPath('the-blocking-call', 3)).toBe('/lessons/the-blocking-call/3');
  });

  it('goes back and next across lesson boundaries, and stops at both ends of the course', () => {
    const lessons = [
      { id: 'a', steps: [1, 2] },
      { id: 'b', steps: [1] },
    ];
    expect(adjacentSteps(lessons, 'a', 1)).toEqual({ prev: null, next: '/lessons/a/2' });
    expect(adjacentSteps(lessons, 'a', 2)).toEqual({ prev: '/lessons/a/1', next: '/lessons/b/1' });
    expect(adjacentSteps(lessons, 'b', 1)).toEqual({ prev: '/lessons/a/2', next: null });
    expect(adjacentSteps(lessons, 'zzz', 1)).toEqual({ prev: null, next: null });
  });
});

describe('the course as bundled', () => {
  it('loads every lesson file through import.meta.glob without a problem, in order', () => {
    expect(course.problems).toEqual([]);
    expect(course.lessons.length).toBeGreaterThanOrEqual(10);
    expect(course.lessons.map((l) => l.number)).toEqual(course.lessons.map((_, i) => i + 1));
  });

  it('reports a broken lesson as a problem instead of failing the whole course', () => {
    const loaded = loadCourse({ '/lessons/01-ok/lesson.md': 'no frontmatter' });
    expect(loaded.lessons).toEqual([]);
    expect(loaded.problems[0]).toMatch(/lessons\/01-ok\/lesson\.md/);
  });

  it('imports the running handler source and marks its query step', async () => {
    const lesson = course.lessons.find((l) => l.id === 'the-blocking-call');
    const ref = lesson?.steps[1]?.code[0];
    if (!lesson || !ref) throw new Error('lesson 2 step 2 has code');
    const code = await loadCode(lesson, ref);
    expect(code.name).toBe('getUser.blocking.ts');
    const markedText = code.code.split('\n').filter((_, i) => code.marked.has(i + 1));
    expect(markedText.some((line) => line.includes("step('query')"))).toBe(true);
    expect(markedText.some((line) => line.includes('users.findOne'))).toBe(true);
  });

  it('loads the Python files shown in lessons', async () => {
    const lesson = course.lessons.find((l) => l.number === 4);
    const ref = lesson?.steps.flatMap((s) => s.code).find((c) => 'file' in c && c.file === 'tornado_2010_fixed.py');
    if (!lesson || !ref) throw new Error('lesson 4 shows tornado_2010_fixed.py');
    const code = await loadCode(lesson, ref);
    expect(code.lang).toBe('python');
    expect([...code.marked].map((n) => code.code.split('\n')[n - 1])).toEqual(
      expect.arrayContaining([
        expect.stringContaining('port=27017'),
        expect.stringContaining('@tornado.web.asynchronous'),
      ]),
    );
  });
});

describe('progress', () => {
  const store = new Map<string, string>();
  const fake = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, value),
    removeItem: (key: string) => void store.delete(key),
    clear: () => store.clear(),
    key: () => null,
    get length() {
      return store.size;
    },
  } satisfies Storage;
  afterEach(() => {
    store.clear();
    delete (globalThis as { localStorage?: Storage }).localStorage;
  });

  it('remembers steps answered right across page loads', () => {
    (globalThis as { localStorage?: Storage }).localStorage = fake;
    let progress = loadProgress();
    expect(progress).toEqual({});
    progress = markStepDone(progress, 'the-blocking-call', 2);
    progress = markStepDone(progress, 'the-blocking-call', 1);
    expect(markStepDone(progress, 'the-blocking-call', 2)).toBe(progress); // already there: unchanged
    expect(loadProgress()).toEqual({ 'the-blocking-call': [1, 2] });
  });

  it('reads a corrupted store as no progress', () => {
    (globalThis as { localStorage?: Storage }).localStorage = fake;
    store.set(PROGRESS_KEY, '{"x": "not a list"');
    expect(loadProgress()).toEqual({});
    store.set(PROGRESS_KEY, '{"x": ["one"]}');
    expect(loadProgress()).toEqual({});
  });

  it('works for the page without any storage at all', () => {
    expect(loadProgress()).toEqual({});
    expect(markStepDone({}, 'a', 1)).toEqual({ a: [1] });
  });
});
